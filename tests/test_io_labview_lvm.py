"""LabVIEW measurement files (``.lvm`` as Write To Measurement File writes them: a file header,
segment headers, ``***End_of_Header***`` lines, an ``X_Value`` column and a ``Comment`` name).
The bundled ST-FMR spectrum and Hall rotations written so, in the variants the format allows
(tab or comma separator, decimal commas, no X column, several segments, a trailing tab, a
comment cell), must read as the same numbers, bit for bit, as the CSV they were made from."""

import json
from pathlib import Path

import numpy as np
import pytest

from bundled import ROTATIONS, SPECTRUM, avci_options
from sotfit.cli import main
from sotfit.data import DataError
from sotfit.io import read_stfmr
from sotfit.io.labview_lvm import is_lvm

AVCI = avci_options("10")


def _lvm(names, rows, sep="\t", decimal=".", x_columns="One", segments=1, trailing="",
         comment_row=None) -> str:
    """A LabVIEW measurement file of the table ``names``/``rows`` (cells as strings)."""
    s = sep
    out = [f"LabVIEW Measurement{s}", f"Writer_Version{s}2", f"Reader_Version{s}2",
           f"Separator{s}{'Tab' if sep == chr(9) else 'Comma'}", f"Decimal_Separator{s}{decimal}",
           f"Multi_Headings{s}No", f"X_Columns{s}{x_columns}", f"Time_Pref{s}Relative",
           f"Operator{s}lab", f"Description{s}Py/Pt bar 3", f"Date{s}2019/03/12",
           f"Time{s}14:22:31.1234", f"***End_of_Header***{s}", ""]
    per = -(-len(rows) // segments)
    for k in range(segments):
        part = rows[k * per:(k + 1) * per]
        n = len(names)
        out += [f"Channels{s}{n}{s}", f"Samples{s}" + s.join([str(len(part))] * n) + s,
                f"Y_Unit_Label{s}" + s.join(["Volts"] * n) + s,
                f"X_Dimension{s}" + s.join(["Time"] * n) + s,
                f"X0{s}" + s.join(["0.0000000000000000E+0"] * n) + s,
                f"Delta_X{s}" + s.join(["1.000000"] * n) + s, f"***End_of_Header***{s}"]
        x = ["X_Value"] if x_columns != "No" else []
        out.append(s.join(x + list(names) + ["Comment"]))
        for i, row in enumerate(part):
            cells = ([f"{i:.6f}"] if x_columns != "No" else []) + list(row)
            if decimal == ",":
                cells = [c.replace(".", ",") for c in cells]
            line = s.join(cells) + trailing
            if comment_row == i:
                line += s + "field reset"
            out.append(line)
    return "\n".join(out) + "\n"


def _table(path: Path):
    lines = path.read_text().splitlines()
    head = [ln for ln in lines if ln.startswith("#")]
    return head, lines[len(head)].split(","), [r.split(",") for r in lines[len(head) + 1:]]


@pytest.mark.parametrize("variant, note", [
    ({}, None), ({"decimal": ","}, "decimal commas read as points"), ({"sep": ","}, None),
    ({"x_columns": "No"}, None), ({"segments": 3}, "3 segments with the same columns"),
    ({"segments": 2, "x_columns": "No"}, "2 segments with the same columns"),
    ({"trailing": "\t"}, None), ({"comment_row": 5}, "its Comment column left out (1 row(s)"),
])
def test_a_spectrum_in_a_labview_measurement_file_reads_as_the_csv(tmp_path, variant, note):
    head, names, rows = _table(SPECTRUM)
    p = tmp_path / "stfmr_10GHz.lvm"
    p.write_text(_lvm(names, rows, **variant))
    before = p.read_bytes()
    ref, got = read_stfmr(SPECTRUM)[0], read_stfmr(p)
    assert len(got) == 1
    assert np.array_equal(got[0].x, ref.x) and np.array_equal(got[0].y, ref.y)
    notes = " ".join(got[0].meta["reader_notes"])
    assert "a LabVIEW measurement file (.lvm), read from its table" in notes
    assert note is None or note in notes
    assert p.read_bytes() == before
    assert is_lvm(p.read_text().splitlines()) and not is_lvm(SPECTRUM.read_text().splitlines())


def test_channels_without_names_are_an_error_naming_them(tmp_path):
    """LabVIEW's default channel names say nothing: the error names them and the option."""
    _, _, rows = _table(SPECTRUM)
    p = tmp_path / "stfmr_10GHz.lvm"
    p.write_text(_lvm(["Untitled", "Untitled 1"], rows))
    with pytest.raises(DataError, match=r"no field column among \['X_Value', 'Untitled', "
                                        r"'Untitled 1'\].*field_column="):
        read_stfmr(p)


def test_harmonic_hall_rotations_in_labview_measurement_files(tmp_path):
    def summary(files, out):
        assert main(["hall", *map(str, files), *AVCI, "--out", str(out)]) == 0
        return json.loads((out / "summary.json").read_text())

    folder = tmp_path / "lvm"
    folder.mkdir()
    files = []
    for f in ROTATIONS:
        _, names, rows = _table(f)
        target = folder / f"{f.stem}.lvm"
        target.write_text(_lvm(names, rows, x_columns="No"))
        files.append(target)
    got, ref = summary(files, tmp_path / "o1"), summary(ROTATIONS, tmp_path / "o2")
    assert got["quantities"] == ref["quantities"]      # exact float equality
    assert any("a LabVIEW measurement file (.lvm)" in n for n in got["notes"])


def test_the_units_of_a_segments_y_unit_label_line_are_read(tmp_path):
    """'Y_Unit_Label  Oe  V' under channels named 'Field' and 'Vmix' was refused as a file
    without units; one label for every channel ('Volts', LabVIEW's default for a DAQ channel of
    any quantity) says nothing and is not read."""
    from bundled import SPECTRUM

    lines = [ln for ln in SPECTRUM.read_text().splitlines() if not ln.startswith("#")]
    rows = [ln.split(",") for ln in lines[1:]]
    rows = [[f"{float(a) * 10:.6f}", f"{float(b) * 1e-6!r}"] for a, b in rows]   # Oe, V
    text = _lvm(["Field", "Vmix"], rows)
    labelled = tmp_path / "10GHz.lvm"
    labelled.write_text(text.replace("Y_Unit_Label\tVolts\tVolts", "Y_Unit_Label\tOe\tV"))
    (d,) = read_stfmr(labelled)
    (ref,) = read_stfmr(SPECTRUM)
    np.testing.assert_allclose(d.x, ref.x, rtol=1e-12)
    np.testing.assert_allclose(d.y, ref.y, rtol=1e-9)
    assert any("Y_Unit_Label" in n for n in d.meta.get("reader_notes", ()))
    default = tmp_path / "12GHz.lvm"
    default.write_text(text)
    with pytest.raises(ValueError, match="'Field' .* has no unit"):
        read_stfmr(default)                 # 'Volts' for both: no unit of the field is known


def _with_entry(text: str, entry: str) -> str:
    """A LabVIEW measurement file's text with ``entry`` written among its file header lines."""
    return text.replace("Operator\tlab\n", f"Operator\tlab\n{entry}\n", 1)


@pytest.mark.parametrize("entry, h", [("SR560 preamp gain on 2f channel: x100", 2),
                                      ("Gain 2w: 100", 2), ("gain_2w\t100", 2),
                                      ("Preamp gain: x100", 1)])     # no harmonic: of both
def test_a_preamp_gain_in_the_file_header_is_asked_about_by_both_readers(tmp_path, capsys,
                                                                         entry, h):
    """A LabVIEW export with a preamp entry among its header lines: the harmonic Hall reader
    read its preamble as it stood ('LabVIEW Measurement' taken for the column header row), saw
    no entry, and H_DL came out 100 times too large with exit 0; the ST-FMR reader asks too."""
    folder = tmp_path / "lvm"
    folder.mkdir()
    files = []
    for f in ROTATIONS:
        _, names, rows = _table(f)
        files.append(folder / f"{f.stem}.lvm")
        files[-1].write_text(_with_entry(_lvm(names, rows), entry))
    i = AVCI.index("--gain-2w")
    options = AVCI[:i] + AVCI[i + 2:]
    assert main(["hall", *map(str, files), *options, "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "writes a preamplifier gain" in err and f"--gain-{h}w 100 if they are not" in err
    _, names, rows = _table(SPECTRUM)
    p = tmp_path / "stfmr_10GHz.lvm"
    p.write_text(_with_entry(_lvm(names, rows), entry))
    with pytest.raises(DataError, match=r"gain .*voltage_gain='100'"):
        read_stfmr(p)
