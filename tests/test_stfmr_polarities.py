"""The two field polarities of one ST-FMR spectrum written apart (``_neg``/``_pos`` files,
``_-H``/``_+H``, two appended exports of one file) are one spectrum.

Read apart, each branch was a spectrum of its own: the remanent-field offset that the mean of
the two branches cancels showed up as "repeats disagree" and a Kittel misfit (reduced
chi-square 8.5, the error of M_eff three times too large), and the spectrum's own offset and
even parts were lost. A ``_neg`` file written with |H| gave mu0 H_DL = -2e-6 T for the planted
+5.6e-5 T, and nothing could say its fields are negative.
"""

import json
import re
import warnings

import numpy as np
import pytest

import sotfit as sf
from sotfit.analysis.stfmr.file_batches import _chunks_of
from sotfit.cli import main
from sotfit.data import DataError
from sotfit.io.stfmr.polarities import polarity_from_name

from bundled import ROOT

EXAMPLE = ROOT / "data" / "stfmr_example"
SAMPLE_ARGS = ["--ms", "0.95T", "--t-fm", "6nm", "--t-nm", "6nm", "--width", "10um",
               "--rho", "20uOhmcm", "--rho-fm", "40uOhmcm", "--irf", "1mA", "--irf-is", "peak",
               "--delta-r", "0.5Ohm"]


def _split(folder, names=("neg", "pos"), magnitudes=False, sections=False):
    """Write each example spectrum as its two polarities, in two files named with ``names``
    (or, with ``sections``, as two appended exports of one file); with ``magnitudes`` the
    negative branch is written as |H|."""
    folder.mkdir()
    for src in sorted(EXAMPLE.glob("py_pt_*.csv")):
        lines = src.read_text().splitlines()
        preamble = [ln for ln in lines if ln.startswith("#")] + [lines[3]]
        rows = lines[4:]
        neg = [r for r in rows if r.startswith("-")]
        pos = [r for r in rows if not r.startswith("-")]
        if magnitudes:
            neg = [r[1:] for r in reversed(neg)]
        if sections:
            (folder / src.name).write_text("\n".join(preamble + neg + preamble + pos) + "\n")
            continue
        for word, part in zip(names, (neg, pos)):
            (folder / src.name.replace(".csv", f"_{word}.csv")).write_text(
                "\n".join(preamble + part) + "\n")
    return folder


def _points(sweep):
    return {d.meta["frequency"]: (d.x, d.y) for d in sweep}


def _same_points_as_the_example(sweep):
    """The six spectra of ``sweep`` hold the points of the example's, bit for bit."""
    whole = _points(sf.io.read_stfmr(EXAMPLE))
    assert len(sweep) == 6
    for d in sweep:
        x, y = whole[d.meta["frequency"]]
        np.testing.assert_array_equal(d.x, x)
        np.testing.assert_array_equal(d.y, y)


@pytest.mark.parametrize("names", [("neg", "pos"), ("-H", "+H"), ("negative", "positive"),
                                   ("Hneg", "Hpos"), ("minus", "plus")])
def test_files_of_the_two_polarities_are_read_as_one_spectrum(tmp_path, names):
    sweep = sf.io.read_stfmr(_split(tmp_path / "split", names))
    _same_points_as_the_example(sweep)
    for d in sweep:
        x = d.x
        neg_name, pos_name = (f"py_pt_{d.meta['frequency']:g}GHz_{w}.csv" for w in names)
        assert d.meta["joined_from"] == (neg_name, pos_name)
        assert d.source == f"{neg_name} + {pos_name}"
        assert d.meta["n_points"] == x.size
        assert any("joined as one spectrum" in n for n in d.meta["reader_notes"])


def test_two_appended_exports_of_one_file_are_one_spectrum(tmp_path):
    sweep = sf.io.read_stfmr(_split(tmp_path / "sections", sections=True))
    whole = _points(sf.io.read_stfmr(EXAMPLE))
    assert len(sweep) == 6
    for d in sweep:
        np.testing.assert_array_equal(d.x, whole[d.meta["frequency"]][0])
        assert d.meta["joined_from"][0].endswith("[section 1]")


def test_the_command_gives_the_numbers_of_the_files_written_whole(tmp_path):
    """The planted run of the README (one file per frequency, both polarities) against the
    same points written apart: every value and standard error of the summary the same, and no
    note of repeats or Kittel misfit."""
    runs = {}
    for name, inputs in (("whole", EXAMPLE), ("apart", _split(tmp_path / "split"))):
        out = tmp_path / name
        assert main(["stfmr", str(inputs), "--out", str(out), "--no-figures",
                     *SAMPLE_ARGS]) == 0
        runs[name] = json.loads((out / "summary.json").read_text())
    for route in ("sequential", "global"):
        for key in ("mu0_meff", "alpha", "xi_fmr", "mu0_h_dl", "mu0_h_fl", "xi_dl"):
            a, b = runs["whole"][route][key], runs["apart"][route][key]
            assert b["value"] == pytest.approx(a["value"], rel=1e-12), (route, key)
            assert b["stderr"] == pytest.approx(a["stderr"], rel=1e-12), (route, key)
    notes = {name: [n for n in run["notes"] if not n.startswith("reader:")]
             for name, run in runs.items()}
    assert notes["apart"] == notes["whole"]         # no "repeats disagree", no Kittel misfit


def test_a_negative_branch_written_as_magnitudes_is_said_and_read_by_the_option(tmp_path):
    folder = _split(tmp_path / "abs", magnitudes=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert len(sf.io.read_stfmr(folder)) == 12
    said = sorted(str(w.message) for w in caught)
    assert len(said) == 6 and all(
        re.match(r"py_pt_\d+GHz_neg.csv: its name says the field is negative but every field "
                 r"in it is positive.*pass negative_field='py_pt_\d+GHz_neg.csv'", m) for m in said)
    sweep = sf.io.read_stfmr(folder, negative_field="*_neg.csv")
    _same_points_as_the_example(sweep)
    for d in sweep:
        assert d.meta["sweep_direction_negative"] == "down"   # |H| rising: H falling
        assert any("magnitudes |H| of the negative branch" in n for n in d.meta["reader_notes"])


def test_the_command_option_names_the_files_and_recovers_the_torques(tmp_path):
    folder = _split(tmp_path / "abs", magnitudes=True)
    out = tmp_path / "out"
    assert main(["stfmr", str(folder), "--out", str(out), "--no-figures",
                 "--negative-field", "*_neg.csv", *SAMPLE_ARGS]) == 0
    summary = json.loads((out / "summary.json").read_text())
    truth = json.loads((EXAMPLE / "truth.json").read_text())
    assert len(summary["spectra"]) == 6
    h_dl = summary["sequential"]["mu0_h_dl"]
    assert abs(h_dl["value"] - truth["mu0_h_dl"]["value"]) < 3 * h_dl["stderr"]


def test_the_option_refuses_what_it_cannot_mean(tmp_path):
    folder = _split(tmp_path / "split")
    with pytest.raises(DataError, match="names no file read"):
        sf.io.read_stfmr(folder, negative_field="*_minus.csv")
    with pytest.raises(DataError, match="py_pt_8GHz_neg.csv: .*the file's fields are negative"):
        sf.io.read_stfmr(folder, negative_field="py_pt_8GHz_neg.csv")
    with pytest.raises(DataError, match="both polarities"):
        sf.io.read_stfmr(EXAMPLE / "py_pt_8GHz.csv", negative_field="py_pt_8GHz.csv")


def test_what_is_not_the_two_polarities_of_one_spectrum_is_left_as_read(tmp_path):
    # a polarity word in the names of files holding both polarities (a dc bias, say): as read
    folder = tmp_path / "bias"
    folder.mkdir()
    text = (EXAMPLE / "py_pt_8GHz.csv").read_text()
    (folder / "py_pt_8GHz_neg.csv").write_text(text)
    (folder / "py_pt_8GHz_pos.csv").write_text("# bias (mA): 1\n" + text)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sweep = sf.io.read_stfmr(folder)
    assert [d.source for d in sweep] == ["py_pt_8GHz_neg.csv", "py_pt_8GHz_pos.csv"]
    # the two polarities at different frequencies are not one spectrum
    split = _split(tmp_path / "split")
    other = tmp_path / "other"
    other.mkdir()
    (other / "run_neg.csv").write_bytes((split / "py_pt_8GHz_neg.csv").read_bytes())
    (other / "run_pos.csv").write_bytes((split / "py_pt_10GHz_pos.csv").read_bytes())
    sweep = sf.io.read_stfmr(other)
    assert [d.source for d in sweep] == ["run_neg.csv", "run_pos.csv"]


@pytest.mark.parametrize("name, expected", [
    ("py_pt_8GHz_neg.csv", (-1, "py_pt_8GHz_*.csv")),
    ("py_pt_8GHz_+H.csv", (1, "py_pt_8GHz_*.csv")),
    ("8GHz H- 2.dat", (-1, "8GHz * 2.dat")),
    ("Positive_field_9GHz.txt", (1, "*_field_9GHz.txt")),
    ("CoFeB-Pt_8GHz.csv", None),            # B- inside a name is no polarity word
    ("8GHz_Idc_neg1mA.csv", None),          # a word joined to a number is a value
    ("8GHz_pos_neg.csv", None),             # two words: none is taken
    ("negative.csv", (-1, "*.csv")),
])
def test_polarity_words_of_file_names(name, expected):
    assert polarity_from_name(name) == expected


def test_batches_keep_the_two_files_of_a_spectrum_in_one_chunk():
    files = ["d/8GHz_neg_1.csv", "d/8GHz_neg_2.csv", "d/8GHz_pos_1.csv", "d/8GHz_pos_2.csv",
             "d/a.csv", "d/b.csv", "e/8GHz_pos_1.csv"]
    assert _chunks_of(files, 2) == [["d/8GHz_neg_1.csv", "d/8GHz_pos_1.csv"],
                                    ["d/8GHz_neg_2.csv", "d/8GHz_pos_2.csv"],
                                    ["d/a.csv", "d/b.csv"], ["e/8GHz_pos_1.csv"]]


def test_lockin_files_of_the_two_polarities_are_read_in_one_sense(tmp_path):
    """X and Y of a lock-in written per polarity, the phase 133.5 deg on the +H file and 136.5
    deg on the -H file: each file's axis is taken in (-45, 135] deg, so the -H branch was read
    at -43.5 deg, its V_mix negated, and the branches cancelled in V_s and V_a (xi_FMR of the
    noise, 0.07 +- 0.05 for -0.09 in an independent set, exit 0, no flag; the lock-in sign
    flag left out, since the joined spectrum had no one phase). The -H branch is now read in
    the sense of the +H one, noted, and the run gives the example's torques, flagged for the
    lock-in's sign convention."""
    folder = tmp_path / "lockin"
    folder.mkdir()
    for src in sorted(EXAMPLE.glob("py_pt_*.csv")):
        d = sf.io.read_stfmr([src])[0]
        for word, keep, phase in (("neg", d.x < 0, 136.5), ("pos", d.x > 0, 133.5)):
            c, sn = float(np.cos(np.radians(phase))), float(np.sin(np.radians(phase)))
            rows = "".join(f"{h * 1e3!r},{v * c!r},{v * sn!r}\n"
                           for h, v in zip(d.x[keep].tolist(), d.y[keep].tolist()))
            (folder / src.name.replace(".csv", f"_{word}.csv")).write_text(
                "# frequency_GHz: %g\n# field_angle_deg: 45\nField (mT),X (uV),Y (uV)\n"
                % d.meta["frequency"] + rows)
    sweep = sf.io.read_stfmr(folder, lockin_channels=("X", "Y"))
    whole = _points(sf.io.read_stfmr(EXAMPLE))
    assert len(sweep) == 6
    for d in sweep:
        x, y = whole[d.meta["frequency"]]
        np.testing.assert_allclose(d.y, y, rtol=1e-9, atol=1e-9 * np.abs(y).max())
        assert d.meta["lockin_phase_negative"] == pytest.approx(136.5, abs=1e-6)
        assert any("are one axis taken in opposite senses: the negative branch's V_mix is "
                   "negated" in n for n in d.meta["reader_notes"])
    out = tmp_path / "out"
    assert main(["stfmr", str(folder), "--out", str(out), "--no-figures", "--no-global",
                 "--lockin-channels", "X,Y", "--voltage-gain", "1", *SAMPLE_ARGS]) == 0
    summary = json.loads((out / "summary.json").read_text())
    truth = json.loads((EXAMPLE / "truth.json").read_text())
    xi = summary["sequential"]["xi_dl"]
    assert abs(xi["value"] - truth["xi_dl"]["value"]) < 3 * xi["stderr"]
    assert any("combined from two lock-in channels at a fitted phase (133.5 to 136.5 deg"
               in f for f in summary["sequential"]["mu0_h_dl"]["flags"])
