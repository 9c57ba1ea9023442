"""Tables whose quantities are in rows (sotfit.io.transposed): a row of fields and a row of
voltages, as LabVIEW's Write To Spreadsheet File writes arrays it does not transpose. They were
refused ("no column header row ... its 720 columns"; a Hall file took its first row for 180
column names); they are read as their transpose, the numbers those of the same table in
columns, to the bit."""

import json
from pathlib import Path

import numpy as np
import pytest

from bundled import ROOT, ROTATIONS, avci_options
from sotfit.cli import main
from sotfit.io import read_stfmr, read_table
from summary_entries import without_run_entries

STFMR = ROOT / "data" / "stfmr_example" / "py_pt_8GHz.csv"
AVCI = avci_options()


def _rows(path: Path):
    """The names and the cells (as written) of the columns of a CSV file with one header row
    below '#' comments."""
    lines = [ln for ln in path.read_text().splitlines() if not ln.startswith("#")]
    return lines[0].split(","), list(zip(*(ln.split(",") for ln in lines[1:])))


def _in_rows(path: Path, sep=",", names=True, preamble="", trailing=""):
    names_, cols = _rows(path)
    return preamble + "".join(((n + sep) if names else "") + sep.join(c) + trailing + "\n"
                              for n, c in zip(names_, cols))


@pytest.mark.parametrize("layout", ["named", "preamble", "decimal_comma"])
def test_stfmr_spectrum_in_rows_reads_as_the_columns(tmp_path, layout):
    f = tmp_path / "py_pt_8GHz.txt"
    if layout == "named":
        f.write_text(_in_rows(STFMR))
    elif layout == "preamble":       # a title, a setting, tabs and LabVIEW's trailing tab
        f.write_text(_in_rows(STFMR, sep="\t", trailing="\t",
                              preamble="ST-FMR run 12\nFrequency (GHz): 8\n\n"))
    else:                            # semicolons, decimal commas
        f.write_text(_in_rows(STFMR, sep=";").replace(".", ","))
    (got,), (ref,) = read_stfmr(f), read_stfmr(STFMR)
    assert np.array_equal(got.x, ref.x) and np.array_equal(got.y, ref.y)
    assert got.meta["frequency"] == 8.0
    notes = " ".join(got.meta["reader_notes"])
    assert "the quantities are in rows (2 rows of 720 values" in notes
    assert "('Field (mT)', 'Vmix (uV)')" in notes


def test_rows_without_names_take_the_column_options(tmp_path):
    f = tmp_path / "run_8GHz.txt"
    f.write_text(_in_rows(STFMR, sep="\t", names=False))
    t = read_table(f)
    assert t.data.shape == (720, 2) and t.columns is None
    out = tmp_path / "out"
    assert main(["stfmr", str(f), "--column", "field=0", "--column", "voltage=1", "--field-unit",
                 "mT", "--voltage-unit", "uV", "--no-figures", "--out", str(out)]) == 0
    ref = tmp_path / "ref"
    assert main(["stfmr", str(STFMR), "--no-figures", "--out", str(ref)]) == 0
    a, b = (json.loads((d / "summary.json").read_text())["spectra"][0] for d in (out, ref))
    assert a["h_res"] == b["h_res"] and a["width"] == b["width"]


def test_hall_rotations_in_rows_give_exactly_the_numbers_of_the_columns(tmp_path):
    files = ROTATIONS
    (tmp_path / "in").mkdir()
    turned = []
    for p in files:
        q = tmp_path / "in" / p.name
        q.write_text(_in_rows(p))
        turned.append(str(q))
    summaries = []
    for name, given in (("rows", turned), ("cols", [str(p) for p in files])):
        assert main(["hall", *given, *AVCI, "--out", str(tmp_path / name)]) == 0
        summaries.append(json.loads((tmp_path / name / "summary.json").read_text()))
    rows, cols = summaries
    assert rows["quantities"] == cols["quantities"] and rows["quantities"]
    assert any("the quantities are in rows (6 rows of 180 values" in n for n in rows["notes"])
    assert without_run_entries({**rows, "notes": [], "files": []}) == without_run_entries(
        {**cols, "notes": [], "files": []})


def test_a_table_of_columns_is_never_turned(tmp_path):
    """A column header row of many names above a few rows is a table of columns, and a table
    of more rows than quantities ever are is not one in rows: both read as before."""
    wide = tmp_path / "wide.csv"
    names = ",".join(f"q{i} (mT)" for i in range(25))
    wide.write_text(names + "\n" + "\n".join(",".join(str(i + j) for i in range(25))
                                             for j in range(4)) + "\n")
    t = read_table(wide)
    assert t.data.shape == (4, 25) and len(t.columns) == 25 and not t.notes
    many = tmp_path / "many.txt"
    many.write_text("\n".join("\t".join(str(i * j) for i in range(30)) for j in range(9)) + "\n")
    t = read_table(many)
    assert t.data.shape == (9, 30) and not t.notes
