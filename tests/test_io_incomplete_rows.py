"""An interrupted sweep: rows whose V_mix is missing (``field,NaN`` after the acquisition
stopped) and a last line cut short (no final newline). Refused by default, naming the option;
``drop_incomplete_rows=True`` (``--drop-incomplete-rows``) reads the rows before them, with
a note naming the file and how many rows were left out."""

import re
from pathlib import Path

import numpy as np
import pytest

from sotfit.cli import main
from sotfit.data import DataError
from sotfit.io import read_stfmr

EXAMPLE = Path(__file__).resolve().parents[1] / "data" / "stfmr_example" / "py_pt_8GHz.csv"
LINES = EXAMPLE.read_text().splitlines()
HEAD, ROWS = LINES[:4], LINES[4:]


def _write(path: Path, rows: list[str], end: str = "\n") -> Path:
    path.write_text("\n".join(HEAD + rows) + end)
    return path


def _same_as_whole_rows(d, tmp_path, kept: list[str]):
    (ref,) = read_stfmr(_write(tmp_path / "whole.csv", kept))
    assert np.array_equal(d.x, ref.x) and np.array_equal(d.y, ref.y)
    values = np.array([[float(c) for c in r.split(",")] for r in kept])
    assert np.allclose(np.sort(d.x), np.sort(values[:, 0]) * 1e-3, rtol=1e-12, atol=0)
    assert np.array_equal(np.sort(d.y), np.sort(values[:, 1]))


@pytest.mark.parametrize("missing", ["NaN", "", "nan", "inf", "NA", "N/A", "#N/A", "#NV", "--"])
def test_rows_of_an_interrupted_sweep_without_a_voltage(tmp_path, missing):
    rows = ROWS[:-20] + [r.split(",")[0] + "," + missing for r in ROWS[-20:]]
    f = _write(tmp_path / "sweep.csv", rows)
    with pytest.raises(ValueError, match=r"20 missing.*drop_incomplete_rows=True"):
        read_stfmr(f)
    (d,) = read_stfmr(f, drop_incomplete_rows=True)
    _same_as_whole_rows(d, tmp_path, ROWS[:-20])
    (note,) = [n for n in d.meta["reader_notes"] if "with a missing" in n]
    assert note.startswith("20 row(s)") and "'Vmix (uV)'" in note
    assert f"line(s) {len(LINES) - 19}, " in note


@pytest.mark.parametrize("last", ["142.2925", "142.2", "-"])
def test_a_last_line_cut_short(tmp_path, last):
    f = _write(tmp_path / "sweep.csv", ROWS[:-1] + [last], end="")
    with pytest.raises(ValueError, match=r"truncated.*drop_incomplete_rows=True"):
        read_stfmr(f)
    (d,) = read_stfmr(f, drop_incomplete_rows=True)
    _same_as_whole_rows(d, tmp_path, ROWS[:-1])
    assert any(n.startswith(f"line {len(LINES)} ") and "cut short" in n
               for n in d.meta["reader_notes"])


def test_whole_files_read_the_same_with_the_option(tmp_path):
    (a,) = read_stfmr(EXAMPLE)
    (b,) = read_stfmr(EXAMPLE, drop_incomplete_rows=True)
    assert np.array_equal(a.x, b.x) and np.array_equal(a.y, b.y)
    assert a.meta.get("reader_notes") == b.meta.get("reader_notes")


def test_the_command_names_and_takes_the_option(tmp_path, capsys):
    f = _write(tmp_path / "sweep.csv", ROWS[:-5] + [r.split(",")[0] + ",NaN" for r in ROWS[-5:]]
               + ["142.2"], end="")
    assert main(["stfmr", str(f), "--no-figures", "--out", str(tmp_path / "a")]) == 2
    assert "--drop-incomplete-rows" in capsys.readouterr().err
    assert main(["stfmr", str(f), "--drop-incomplete-rows", "--no-figures",
                 "--out", str(tmp_path / "b")]) == 0
    err = capsys.readouterr().err
    assert "reader: sweep.csv: 5 row(s) with a missing or non-finite value" in err
    assert "sweep.csv: sweep.csv" not in err          # the command names the file once
    assert "cut short" in err


def test_the_command_names_the_option_for_an_excel_na_or_dashes(tmp_path, capsys):
    """Excel's '#N/A' and an instrument's '--' where it has no reading were refused as cells
    that are not numbers, which no option reads; they are missing values."""
    for k, token in enumerate(("#N/A", "--")):
        f = _write(tmp_path / f"sweep{k}.csv", ROWS[:40] + [ROWS[40].split(",")[0] + "," + token]
                   + ROWS[41:])
        assert main(["stfmr", str(f), "--no-figures", "--out", str(tmp_path / f"a{k}")]) == 2
        assert "--drop-incomplete-rows" in capsys.readouterr().err
        assert main(["stfmr", str(f), "--drop-incomplete-rows", "--no-figures",
                     "--out", str(tmp_path / f"b{k}")]) == 0
        assert f"sweep{k}.csv: 1 row(s) with a missing" in capsys.readouterr().err


def test_dashes_outside_the_data_cells_are_not_missing_values(tmp_path):
    """'--' is a missing value in a cell of the data only: a title line of dashes stays free
    text above the column names, and a column of '--' separators is a column left unread."""
    (ref,) = read_stfmr(_write(tmp_path / "whole.csv", ROWS))
    titled = tmp_path / "titled.csv"
    titled.write_text("\n".join(["-- Measurement --"] + HEAD + ROWS) + "\n")
    (d,) = read_stfmr(titled)
    assert np.array_equal(d.x, ref.x) and np.array_equal(d.y, ref.y)
    assert any("'-- Measurement --'" in n for n in d.meta["reader_notes"])
    names = HEAD[-1].split(",")
    separated = tmp_path / "separated.csv"
    separated.write_text("\n".join(HEAD[:-1] + [f"{names[0]},sep,{names[1]}"]
                                   + [r.replace(",", ",--,") for r in ROWS]) + "\n")
    (d,) = read_stfmr(separated)
    assert np.array_equal(d.x, ref.x) and np.array_equal(d.y, ref.y)


@pytest.mark.parametrize("rule", ["--,--", "-,-", "-----", "=====,=====", "NaN,NaN", "n/a,--"])
def test_a_row_of_missing_values_or_rules_under_the_column_names_is_said_so(tmp_path, rule):
    """'--<TAB>--' under the column names was 'neither the column header row nor a row of
    numbers ( are not a number, the other cells are)', no cell named ('--' is a missing value),
    and '-<TAB>-' was taken for the column names, the names above it 'neither a key: value
    header ... nor the column header row'. The row is named as what it is."""
    f = tmp_path / "ruled.csv"
    f.write_text("\n".join(HEAD + [rule] + ROWS) + "\n")
    line = len(HEAD) + 1
    cells = ", ".join(repr(c) for c in dict.fromkeys(rule.split(",")))
    with pytest.raises(DataError, match=re.escape(
            f"line {line} ({rule!r}) is a row of missing values or separators only ({cells}), "
            "neither the column header row nor a row of numbers, above the first row of numbers "
            f"(line {line + 1}); remove the row, or make it a comment ('# ...')")):
        read_stfmr(f)


def test_a_last_row_cut_inside_its_number(tmp_path):
    """'1.986496e-01<TAB>1.2' where '1.3e-07' was being written (no line break at the end): a
    voltage a million times too large took over the resonance search and a branch was left
    out with a note only. A last number shorter than every other of its fixed-width column in
    a file without a final line break is a row cut short."""
    from sotfit.data import DataError
    from sotfit.io import read_stfmr

    h = np.linspace(-0.2, 0.2, 401)
    v = 1e-7 * (1.0 + 0.2 * np.exp(-((np.abs(h) - 0.1) / 0.005) ** 2))
    body = "".join(f"{a:.6e}\t{b:.6e}\n" for a, b in zip(h, v))
    path = tmp_path / "s_10GHz.txt"
    path.write_text("Field (T)\tVmix (V)\n" + body + f"{0.2005:.6e}\t1.2")
    with pytest.raises(DataError, match="cut inside its number") as info:
        read_stfmr([path])
    assert "--drop-incomplete-rows" in str(info.value) or "drop_incomplete_rows" in str(info.value)
    (d,) = read_stfmr([path], drop_incomplete_rows=True)
    assert len(d) == 401 and np.max(np.abs(d.y)) < 1.0
    # the same file with its line break, or with the number whole, reads every row
    path.write_text("Field (T)\tVmix (V)\n" + body + f"{0.2005:.6e}\t{1.3e-7:.6e}")
    assert len(read_stfmr([path])[0]) == 402
