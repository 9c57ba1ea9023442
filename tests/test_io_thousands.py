"""Numbers with commas between thousands (``-1,934.4578``), as spreadsheets and programs set
up in English write them: read as the same numbers, bit for bit, as the plain table they were
written from (the digits are never changed), in tab-, semicolon- and blank-separated files and
in double quotes in comma-separated ones; a file that could as well hold decimal commas is not
guessed at, and a comma that separates cells is never taken for one between thousands."""

import json
from pathlib import Path

import numpy as np
import pytest

from bundled import ROTATIONS, SPECTRUM, avci_options
from sotfit.cli import main
from sotfit.data import DataError
from sotfit.io import read_stfmr
from summary_entries import without_run_entries

AVCI = avci_options("10000")


def _shifted(cell: str, places: int) -> str:
    """The decimal ``cell`` times 10**places, by moving its point (the same digits)."""
    sign, digits = ("-", cell[1:]) if cell.startswith("-") else ("", cell)
    whole, _, frac = digits.partition(".")
    frac = frac.ljust(places, "0")
    whole, frac = (whole + frac[:places]).lstrip("0") or "0", frac[places:]
    return sign + whole + ("." + frac if frac else "")


def _grouped(cell: str) -> str:
    """``cell`` with commas between the thousands of its whole part (``-1,934.4578``)."""
    sign, digits = ("-", cell[1:]) if cell.startswith("-") else ("", cell)
    whole, point, frac = digits.partition(".")
    return sign + f"{int(whole):,}" + point + frac


def _table(path: Path, columns, delimiter: str, grouped: bool, quote: bool = False) -> str:
    """The table ``path`` with its ``columns`` ({index: (new name, places)}) moved by
    ``places`` decimal places, the rest as it is, written with ``delimiter``; the numbers
    grouped in thousands if ``grouped`` (in double quotes where they hold a comma, if
    ``quote``)."""
    lines = path.read_text().splitlines()
    head = [ln for ln in lines if ln.startswith("#")]
    names = lines[len(head)].split(",")
    out = list(head)
    out.append(delimiter.join(columns.get(i, (n, 0))[0] for i, n in enumerate(names)))
    for row in lines[len(head) + 1:]:
        cells = []
        for i, c in enumerate(row.split(",")):
            c = _shifted(c, columns.get(i, ("", 0))[1])
            if grouped:
                c = _grouped(c)
                if quote and "," in c:
                    c = f'"{c}"'
            cells.append(c)
        out.append(delimiter.join(cells))
    return "\n".join(out) + "\n"


OERSTED = {0: ("Field (Oe)", 1)}


@pytest.mark.parametrize("delimiter, quote", [("\t", False), (";", False), ("  ", False),
                                              (",", True), ("\t", True)])
def test_a_spectrum_with_thousands_reads_as_the_plain_table(tmp_path, delimiter, quote):
    plain = tmp_path / "plain.csv"
    plain.write_text(_table(SPECTRUM, OERSTED, ",", grouped=False))
    grouped = tmp_path / "grouped.txt"
    grouped.write_text(_table(SPECTRUM, OERSTED, delimiter, grouped=True, quote=quote))
    assert "-1,934.4578" in grouped.read_text()
    before = grouped.read_bytes()
    ref, got = read_stfmr(plain), read_stfmr(grouped)
    assert len(got) == len(ref) == 1
    assert np.array_equal(got[0].x, ref[0].x) and np.array_equal(got[0].y, ref[0].y)
    assert got[0].meta["frequency"] == ref[0].meta["frequency"]
    notes = " ".join(got[0].meta["reader_notes"])
    assert "commas between thousands (from line 5" in notes
    assert grouped.read_bytes() == before


def test_a_setting_with_thousands_above_the_table_is_read_so(tmp_path):
    text = _table(SPECTRUM, OERSTED, "\t", grouped=True).replace(
        "# frequency_GHz: 10", "# frequency_MHz: 12,345.6")
    f = tmp_path / "grouped.txt"
    f.write_text(text)
    assert read_stfmr(f)[0].meta["frequency"] == pytest.approx(12.3456, rel=1e-15)   # GHz


def test_thousands_without_any_decimal_point_are_not_guessed(tmp_path):
    """``1,934`` alone may be 1.934 with a decimal comma: the file keeps its error."""
    lines = [ln for ln in _table(SPECTRUM, OERSTED, "\t", grouped=True).splitlines()]
    body = [ln.split("\t") for ln in lines[4:]]
    text = "\n".join(lines[:4] + [f"{a.split('.')[0]}\t{round(float(b) * 1e6):d}"
                                  for a, b in body]) + "\n"
    f = tmp_path / "integers.txt"
    f.write_text(text)
    with pytest.raises(DataError, match="integers.txt"):
        read_stfmr(f)


def test_thousands_beside_decimal_commas_are_not_guessed(tmp_path):
    lines = _table(SPECTRUM, OERSTED, "\t", grouped=True).splitlines()
    lines[-1] = lines[-1].replace(".", ",", 1)     # one cell with a decimal comma
    f = tmp_path / "mixed.txt"
    f.write_text("\n".join(lines) + "\n")
    with pytest.raises(DataError, match="mixed.txt"):
        read_stfmr(f)


def test_a_comma_that_separates_cells_is_never_one_between_thousands(tmp_path):
    """``-1,934.4578,0.213579`` unquoted in a comma file is three cells: an error naming the
    line, never the number -1934.4578."""
    f = tmp_path / "bare.csv"
    f.write_text(_table(SPECTRUM, OERSTED, ",", grouped=True, quote=False))
    with pytest.raises(DataError, match="bare.csv"):
        read_stfmr(f)


def _hall_set(folder: Path, delimiter: str, grouped: bool, quote: bool = False) -> list[str]:
    """The in-plane rotations with their second-harmonic signals in nV (three places moved:
    thousands in most cells), as files written with ``delimiter``."""
    folder.mkdir()
    out = []
    for p in ROTATIONS:
        target = folder / (p.stem + (".csv" if delimiter == "," else ".txt"))
        target.write_text(_table(p, {4: ("X2 (nV)", 3), 5: ("Y2 (nV)", 3)}, delimiter,
                                 grouped, quote))
        out.append(str(target))
    return out


def _hall_summary(files, out):
    assert main(["hall", *files, *AVCI, "--out", str(out)]) == 0
    return json.loads((out / "summary.json").read_text())


@pytest.mark.parametrize("delimiter, quote", [("\t", False), (",", True)])
def test_harmonic_hall_rotations_with_thousands_read_as_the_plain_tables(tmp_path, delimiter,
                                                                        quote):
    plain = _hall_summary(_hall_set(tmp_path / "plain", ",", False), tmp_path / "o1")
    files = _hall_set(tmp_path / "grouped", delimiter, True, quote)
    assert any("64,644.2929" in Path(f).read_text() for f in files)
    got = _hall_summary(files, tmp_path / "o2")
    assert without_run_entries(got) == without_run_entries(plain)   # exact float equality
    assert got["quantities"]
    assert any("commas between thousands" in n for n in got["notes"])


@pytest.mark.parametrize("by_index", [False, True])
def test_rows_of_numbers_written_in_an_unread_way_are_never_taken_for_settings(tmp_path,
                                                                               by_index):
    """``-1.934.4578<TAB>0.213579`` (points between thousands and a decimal point: not read)
    above the first plain row: such rows were once taken for settings of two cells (a name and
    a value) and dropped without a word when the columns were given by index. Now the file is
    an error naming the last such row."""
    lines = _table(SPECTRUM, OERSTED, "\t", grouped=True).splitlines()
    body = [ln.replace(",", ".") for ln in lines[4:]]
    f = tmp_path / "dotted.txt"
    f.write_text("\n".join(lines[:4] + body) + "\n")
    first_plain = next(i for i, ln in enumerate(lines[4:]) if "," not in ln) + 5
    options = dict(field_column=0, voltage_column=1, field_unit="Oe",
                   voltage_unit="uV") if by_index else {}
    with pytest.raises(DataError, match=rf"dotted.txt: line {first_plain - 1} .* is neither the "
                                        "column header row nor a row of numbers"):
        read_stfmr(f, **options)


@pytest.mark.parametrize("mark, decimal, delimiter", [
    (" ", ",", "\t"), ("\u00a0", ",", "\t"), ("\u202f", ",", ";"), ("'", ".", ";"),
    ("\u2019", ".", "\t"), ("\u2009", ".", "  "), (" ", ".", ";"),
])
def test_digits_grouped_by_blanks_or_apostrophes(tmp_path, mark, decimal, delimiter):
    """French (no-break or narrow no-break spaces, decimal commas), Swiss (apostrophes, decimal
    points) and SI (thin spaces) styles read as the plain table; a plain blank only where the
    cells are separated by tabs or semicolons."""
    plain = tmp_path / "plain.csv"
    plain.write_text(_table(SPECTRUM, OERSTED, ",", grouped=False))
    lines = _table(SPECTRUM, OERSTED, delimiter, grouped=True).splitlines()
    body = [ln.replace(",", "G").replace(".", decimal).replace("G", mark) for ln in lines[4:]]
    p = tmp_path / "grouped.txt"
    p.write_text("\n".join(lines[:4] + body) + "\n", encoding="utf-8")
    assert mark + "934" in p.read_text(encoding="utf-8")
    ref, got = read_stfmr(plain)[0], read_stfmr(p)[0]
    assert np.array_equal(got.x, ref.x) and np.array_equal(got.y, ref.y)
    assert any("digits grouped in threes by blanks or apostrophes" in n
               for n in got.meta["reader_notes"])
