"""Hall files as Windows programs and spreadsheets in other languages save them: read as the
same table in UTF-8 with decimal points (docs/io.md, "Harmonic Hall tables")."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from sotfit.cli import main

EX = Path(__file__).resolve().parents[1] / "data" / "hall_example" / "inplane"
CONV = ["--method", "avci", "--current", "1.5mA", "--current-is", "rms", "--lockin-output", "rms",
        "--r2w-channel", "X", "--gain-2w", "10", "--meff", "0.8T", "--r-ahe", "0.8Ohm",
        "--no-figures"]
NAMES = ["phi (\u00b0)", "field (mT)", "X1 (\u00b5V)", "Y1 (\u00b5V)", "X2 (\u00b5V)", "Y2 (\u00b5V)"]


def _run(files, out, *extra):
    rc = main(["hall", *map(str, files), *CONV, *extra, "--out", str(out)])
    assert rc == 0
    return json.loads((out / "summary.json").read_text())["quantities"]


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The example rotations as shipped (UTF-8, decimal points)."""
    out = tmp_path_factory.mktemp("ref") / "o"
    return _run(sorted(EX.glob("phi_*.csv")), out)


def _same(q, reference):
    for name in ("r_phe", "mu0_h_fl_oe", "mu0_h_dl", "r_ane"):
        assert q[name]["value"] == pytest.approx(reference[name]["value"], rel=1e-12), name


def test_windows_1252_files_read_as_their_utf8_copies(tmp_path, reference):
    """A header 'phi (deg sign)' and 'X1 (micro sign V)' saved in Windows-1252 (LabVIEW, Origin
    and Excel on Windows) was refused with "'utf-8' codec can't decode byte 0xb0"; it is read
    as the same table, noted."""
    files = []
    for f in sorted(EX.glob("phi_*.csv")):
        df = pd.read_csv(f)
        df.columns = NAMES
        files.append(tmp_path / f.name)
        files[-1].write_bytes(df.to_csv(index=False, lineterminator="\r\n").encode("cp1252"))
    with pytest.raises(UnicodeDecodeError):
        files[0].read_bytes().decode("utf-8")
    _same(_run(files, tmp_path / "o"), reference)


def test_quoted_decimal_commas_in_a_comma_separated_file(tmp_path, reference):
    """"0","30","30,0172792": every cell in double quotes with a decimal comma, as a
    spreadsheet in a language that writes decimal commas saves a CSV with ',' as its list
    separator; refused as non-numeric although `sotfit tables` read it. Read as the same
    numbers."""
    files = []
    for f in sorted(EX.glob("phi_*.csv")):
        df = pd.read_csv(f, dtype=str)
        lines = [",".join(f'"{c}"' for c in df.columns)]
        lines += [",".join(f'"{v.replace(".", ",")}"' for v in row) for row in df.itertuples(index=False)]
        files.append(tmp_path / f.name)
        files[-1].write_text("\n".join(lines) + "\n", encoding="utf-8")
    _same(_run(files, tmp_path / "o"), reference)


def test_an_empty_cell_names_the_option_and_the_option_leaves_its_row_out(tmp_path, capsys):
    """One empty X2 cell (line 12 of one file): the error names the line and
    --drop-incomplete-rows; with it the row is left out, noted, and the numbers are those of
    the files with that row deleted."""
    holed, cut = tmp_path / "holed", tmp_path / "cut"
    holed.mkdir()
    cut.mkdir()
    for f in sorted(EX.glob("phi_*.csv")):
        df = pd.read_csv(f)
        if f.name == "phi_100mT.csv":
            df.loc[10, "X2 (uV)"] = float("nan")        # file line 12
            df.drop(index=10).to_csv(cut / f.name, index=False)
        else:
            df.to_csv(cut / f.name, index=False)
        df.to_csv(holed / f.name, index=False)
    files = sorted(holed.glob("*.csv"))
    assert main(["hall", *map(str, files), *CONV, "--out", str(tmp_path / "o0")]) == 2
    err = capsys.readouterr().err
    assert "line(s) [12]" in err and "--drop-incomplete-rows" in err
    q = _run(files, tmp_path / "o1", "--drop-incomplete-rows")
    notes = json.loads((tmp_path / "o1" / "summary.json").read_text())
    assert "1 row(s) with a missing or non-finite value in 'X2 (uV)' not read (line(s) [12]" \
        in json.dumps(notes)
    _same(q, _run(sorted(cut.glob("*.csv")), tmp_path / "o2"))


def test_a_title_of_free_text_above_the_table_is_skipped_and_said_to_be(tmp_path, reference):
    """docs/io.md said any preamble line other than comments and entries is an error; a title
    of free text ('Harmonic Hall measurement of sample W') was skipped with a note calling it a
    comment or entry. It is skipped and the note counts it as a title; the numbers are those
    of the files without it."""
    files = []
    for f in sorted(EX.glob("phi_*.csv")):
        files.append(tmp_path / f.name)
        files[-1].write_text("Harmonic Hall measurement of sample W\nOperator: AB\n\n"
                             + f.read_text(encoding="utf-8"), encoding="utf-8")
    _same(_run(files, tmp_path / "o"), reference)
    notes = json.dumps(json.loads((tmp_path / "o" / "summary.json").read_text())["notes"])
    assert "2 preamble line(s) above the column header row (line 4) skipped as comments and " \
           "'key: value' entries (1 a title of free text)" in notes
