"""A measurement given twice (a folder and one of its files, overlapping patterns, one file
saved under two names) would count its points twice: every value as before, every standard
error up to 1/sqrt(2) too small. ST-FMR spectra and harmonic Hall scans refuse it, naming both
files, as thickness tables do; distinct files of equal size are still read."""

import shutil

import numpy as np

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


def _tab_separated(lines):
    return lines[:3] + [ln.replace(",", "\t") for ln in lines[3:]]


def _field_in_oe(lines):
    rows = [ln.split(",") for ln in lines[4:]]
    return lines[:3] + ["Field (Oe),Vmix (uV)"] + [f"{float(a) * 10:.4f},{b}" for a, b in rows]


def _four_decimals(lines):
    return lines[:4] + [",".join(f"{float(c):.4f}" for c in ln.split(",")) for ln in lines[4:]]


@pytest.mark.parametrize("rewrite, form", [(_tab_separated, "delimiter comma and tab"),
                                           (_field_in_oe, "field unit mT and Oe"),
                                           (_four_decimals, "V_mix written with 7 and 5")])
def test_a_spectrum_saved_again_in_another_form_is_refused(tmp_path, rewrite, form):
    """Saved again tab-separated, with the field in Oe or rounded to 4 decimals, the 10 GHz
    spectrum was fitted twice (its repeats gave chi2 0, no flag) and every error of the
    Kittel, damping and torque means came out about 12 % small. The spectra as read agree to
    the rounding of the coarser-written file: refused, naming both files and the forms."""
    spec = tmp_path / "spectra"
    spec.mkdir()
    for f in sorted(SPECTRUM.parent.glob("py_pt_1[02]GHz.csv")):
        shutil.copy(f, spec / f.name)
    lines = SPECTRUM.read_text(encoding="utf-8").splitlines()
    (spec / "py_pt_10GHz_again.txt").write_text("\n".join(rewrite(lines)) + "\n")
    with pytest.raises(DataError, match=rf"py_pt_10GHz.csv and .*py_pt_10GHz_again.txt hold "
                                        rf"the same spectrum at 10 GHz.*{form}"):
        read_stfmr([spec])


def test_a_repeat_with_its_own_noise_is_read_whatever_its_form(tmp_path):
    """A second sweep differs from the first by its noise (here 0.01 uV, far beyond the
    rounding of 4 decimals): two spectra, in any form."""
    rng = np.random.default_rng(3)
    lines = SPECTRUM.read_text(encoding="utf-8").splitlines()
    noisy = lines[:4] + [f"{a},{float(b) + rng.normal(0, 0.01):.6f}"
                         for a, b in (ln.split(",") for ln in lines[4:])]
    shutil.copy(SPECTRUM, tmp_path / SPECTRUM.name)
    (tmp_path / "py_pt_10GHz_2.txt").write_text("\n".join(_four_decimals(noisy)) + "\n")
    assert len(read_stfmr(tmp_path)) == 2


def test_spectra_saved_again_are_refused_across_the_chunks_of_a_run(tmp_path, capsys,
                                                                     monkeypatch):
    """``sotfit stfmr`` reads its files in chunks, each compared within itself: a copy in
    another chunk than its original is found by the prints of the chunks."""
    import sotfit.cli.stfmr as stfmr_cli

    spec = tmp_path / "spectra"
    spec.mkdir()
    shutil.copy(SPECTRUM, spec / "a_10GHz.csv")
    shutil.copy(SPECTRUM.parent / "py_pt_12GHz.csv", spec / "b_12GHz.csv")
    lines = SPECTRUM.read_text(encoding="utf-8").splitlines()
    (spec / "c_10GHz.csv").write_text("\n".join(_four_decimals(lines)) + "\n")
    monkeypatch.setattr(stfmr_cli, "CHUNK_FILES", 1)
    assert main(["stfmr", str(spec), "--one-sample", "--no-global", "--no-figures",
                 "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "a_10GHz.csv and" in err and "c_10GHz.csv hold the same spectrum" in err
    assert "is a file of the folder" not in err
    assert not (tmp_path / "out").exists()
