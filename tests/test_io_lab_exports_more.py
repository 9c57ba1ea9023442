"""Exports of lab software that were refused, each read now to the numbers of the CSV it was
made from (the bundled example spectra and rotations): a multimeter's data-log CSV (settings
padded to the table's width, an instrument line of text cells, an empty spreadsheet row, a
column of time stamps), R's write.table (row names under no name) and read.csv names
(``Field..mT.``), Fortran ``D`` exponents, and harmonic Hall files whose harmonic only their
name gives (``_harm1``, ``_2f``) over lock-in columns ``X``, ``Y``."""

import json

import numpy as np
import pandas as pd
import pytest

from sotfit import DataError
from bundled import ROOT, ROTATIONS, avci_options
from sotfit.cli import main
from sotfit.io import read_stfmr

STFMR = ROOT / "data" / "stfmr_example" / "py_pt_8GHz.csv"
AVCI = avci_options()


@pytest.fixture(scope="module")
def spectrum():
    return np.loadtxt(STFMR, delimiter=",", comments="#", skiprows=4)


def _same(path, **options):
    (d,) = read_stfmr(path, **options)
    (ref,) = read_stfmr(STFMR)
    assert np.allclose(d.x, ref.x, rtol=1e-9, atol=0) and np.allclose(d.y, ref.y, rtol=1e-9)
    return d


def test_a_multimeter_data_log(tmp_path, spectrum):
    """Keysight BenchVue's layout: an instrument line of text cells, settings padded with
    empty cells, an empty row of commas, a time stamp column; field in Oe, volts as VDC."""
    f = tmp_path / "DMM_Log.csv"
    rows = ["Keysight BenchVue Digital Multimeter,Data Log Export,,",
            "Instrument,Keysight Technologies,34465A,MY59001234",
            "Source Frequency (GHz),8,,", "Source Power (dBm),15,,", "Field angle (deg),45,,",
            ",,,", "Reading #,Time,Field (Oe),Reading (VDC)"]
    rows += [f"{i + 1},2024-03-01 10:31:{i % 60:02d}.000,{h * 10:.4f},{v * 1e-6:.6E}"
             for i, (h, v) in enumerate(spectrum)]
    f.write_text("\r\n".join(rows) + "\r\n")
    d = _same(f, voltage_column="Reading (VDC)")
    assert d.meta["frequency"] == 8.0 and d.meta["field_angle"] == 45.0
    notes = " ".join(d.meta["reader_notes"])
    assert "line(s) 2 above the column names read as free text" in notes
    assert "column(s) of text not read: 'Time'" in notes


def test_r_write_table_with_row_names_and_r_names(tmp_path, spectrum):
    table = tmp_path / "py_pt_8GHz.txt"         # write.table: quoted row names under no name
    table.write_text('"Field..mT." "Vmix..uV."\n' + "".join(
        f'"{i + 1}" {float(h)!r} {float(v)!r}\n' for i, (h, v) in enumerate(spectrum)))
    d = _same(table)
    assert any("is the table's row names (as R's write.table writes them)" in n
               for n in d.meta["reader_notes"])
    csv = tmp_path / "py_pt_8GHz.csv"           # write.csv: an empty name over the row names
    csv.write_text('"","Field..mT.","Vmix..uV."\n' + "".join(
        f'"{i + 1}",{float(h)!r},{float(v)!r}\n' for i, (h, v) in enumerate(spectrum)))
    _same(csv)


def test_fortran_d_exponents(tmp_path, spectrum):
    f = tmp_path / "fmr08.dat"
    f.write_text(" # FREQ =  8.000 GHz\n #   H(Oe)              V(V)\n" + "".join(
        f"  {h * 10:20.10E}  {v * 1e-6:20.10E}\n".replace("E", "D") for h, v in spectrum))
    d = _same(f)
    assert any("Fortran D exponents" in n for n in d.meta["reader_notes"])


@pytest.mark.parametrize("tokens", [("harm1", "harm2"), ("1f", "2f")])
def test_hall_harmonics_named_by_their_files(tmp_path, tokens):
    files = []
    for p in ROTATIONS:
        t = pd.read_csv(p)
        for h, token in zip((1, 2), tokens):
            part = t[["phi (deg)", "field (mT)", f"X{h} (uV)", f"Y{h} (uV)"]]
            q = tmp_path / f"{p.stem}_{token}.csv"
            part.rename(columns={f"X{h} (uV)": "X (uV)", f"Y{h} (uV)": "Y (uV)"}).to_csv(
                q, index=False)
            files.append(str(q))
    assert main(["hall", *files, *AVCI, "--out", str(tmp_path / "o")]) == 0
    assert main(["hall", *(str(p) for p in ROTATIONS), *AVCI,
                 "--out", str(tmp_path / "ref")]) == 0
    got, ref = (json.loads((tmp_path / d / "summary.json").read_text()) for d in ("o", "ref"))
    assert got["quantities"] == ref["quantities"]
    assert any(f"the lock-in columns 'X (uV)', 'Y (uV)' read as the first harmonic's, as the "
               f"file name 'phi_005mT_{tokens[0]}.csv' says" in n for n in got["notes"])


def test_hall_r_names_and_fortran_exponents(tmp_path):
    files = []
    for p in ROTATIONS:
        t = pd.read_csv(p)
        q = tmp_path / p.name
        lines = ['"",' + ",".join(f'"{c.replace(" (", "..").replace(")", ".")}"'
                                  for c in t.columns)]
        lines += [f'"{i + 1}",' + ",".join(f"{v:.12E}".replace("E", "D") for v in row)
                  for i, row in enumerate(t.to_numpy())]
        q.write_text("\n".join(lines) + "\n")
        files.append(str(q))
    assert main(["hall", *files, *AVCI, "--out", str(tmp_path / "o")]) == 0
    assert main(["hall", *(str(p) for p in ROTATIONS), *AVCI,
                 "--out", str(tmp_path / "ref")]) == 0
    got, ref = (json.loads((tmp_path / d / "summary.json").read_text())["quantities"]
                for d in ("o", "ref"))
    for k, v in ref.items():
        if isinstance(v, dict) and isinstance(v.get("value"), float):
            assert got[k]["value"] == pytest.approx(v["value"], rel=1e-9, abs=1e-15), k


def test_a_row_of_settings_above_headerless_data_is_named(tmp_path, spectrum):
    """A LabVIEW program that writes the frequency and power as a first row of numbers
    (``8.000000<TAB>15.000000``) above a headerless sweep: the error said the sweep "comes back
    to the positive branch at line 362" and advised --split-sweeps, which made that row a
    spectrum; it now names the row and what to do with it."""
    f = tmp_path / "sweep_8GHz.txt"
    f.write_text("8.000000\t15.000000\n" + "".join(f"{h}\t{v}\n" for h, v in spectrum))
    with pytest.raises(DataError, match=r"without line 1 \(8  15\) the rest is one sweep: if "
                                        r"that row is not a reading"):
        read_stfmr(f, field_column=0, voltage_column=1, field_unit="mT", voltage_unit="uV")


@pytest.mark.parametrize("header,numbers,unit", [("Frequency (GHz)", 8000.0, "MHz"),
                                                 ("Frequency (MHz)", 8.0, "GHz")])
def test_a_frequency_column_whose_header_unit_is_wrong(tmp_path, spectrum, capsys, header,
                                                       numbers, unit):
    """'Frequency (GHz)' over 8000 advised --column-unit frequency=MHz, which lost to the header
    and gave the same error again; 'Frequency (MHz)' over 8 advised THz, refused as no
    frequency unit. The advice is now the unit of the numbers as written, as an override of the
    header's, and the override reads them."""
    f = tmp_path / "long.csv"
    f.write_text(f"{header},Field (mT),Vmix (uV)\n" + "".join(
        f"{numbers!r},{float(h)!r},{float(v)!r}\n" for h, v in spectrum))
    assert main(["stfmr", str(f), "--no-figures", "--out", str(tmp_path / "asked")]) == 2
    assert f"read them so with --override-unit frequency={unit}" in capsys.readouterr().err
    (d,) = read_stfmr(f, frequency_unit=unit, override_header_units=("frequency",))
    assert d.meta["frequency"] == 8.0
    assert any("read in " + unit + " whatever its header says" in n for n in d.meta["reader_notes"])
    (ref,) = read_stfmr(STFMR)
    assert np.array_equal(d.x, ref.x) and np.array_equal(d.y, ref.y)


def test_a_wide_table_with_a_setting_in_one_column_name(tmp_path, spectrum):
    """'Field (mT),Vmix 8GHz (uV),Vmix f=10GHz (uV)' was read as one header entry whose key ran
    over three names ('the file has no column header row', advising a --column that reads one
    spectrum of two); a 'Date: Mon, 15 Nov' line stays an entry."""
    f = tmp_path / "wide.csv"
    f.write_text("Date: Mon, 15 Nov\nField (mT),Vmix 8GHz (uV),Vmix f=10GHz (uV)\n" + "".join(
        f"{float(h)!r},{float(v)!r},{float(2 * v)!r}\n" for h, v in spectrum))
    eight, ten = sorted(read_stfmr(f), key=lambda d: d.meta["frequency"])
    assert (eight.meta["frequency"], ten.meta["frequency"]) == (8.0, 10.0)
    assert np.array_equal(ten.y, 2 * eight.y) and np.allclose(eight.y, spectrum[:, 1], rtol=1e-12)


def test_a_programmed_sweep_that_turns_quotes_no_jitter_of_rounding(tmp_path):
    """A noise-free up-down sweep in one file (fields in steps of 0.2 mT) was refused
    quoting 'more than the jitter of 2.15e-14 mT allowed by the field read-back noise': the
    floating-point rounding of the written fields, no jitter of the read-back."""
    h = np.linspace(-100.0, 100.0, 1001)
    h = np.r_[h, h[::-1][1:]]
    x = (np.abs(h) - 50.0) / 3.0
    f = tmp_path / "loop_8GHz.txt"
    f.write_text("Field (mT)\tVmix (uV)\n" + "".join(
        f"{a:.4f}\t{np.sign(a) * (2 + 1.5 * b) / (1 + b * b):.5f}\n" for a, b in zip(h, x)))
    with pytest.raises(DataError, match=r"reverses direction") as err:
        read_stfmr(f)
    assert "jitter" not in str(err.value) and "split_sweeps=True" in str(err.value)


def test_fields_measured_in_a_shuffled_order_are_read_with_sort_field(tmp_path, capsys):
    """Fields measured in a random order (against drift) were refused as hundreds of sweeps with
    'sotfit does not reorder a file's rows' and no option, the message quoting a jitter of
    hundreds of mT; --sort-field reads them in field order, to the numbers of the sorted file."""
    folder = tmp_path / "in_shuffled"
    folder.mkdir()
    rng = np.random.default_rng(5)
    for src in sorted((ROOT / "data" / "stfmr_example").glob("py_pt_*GHz.csv")):
        lines = src.read_text().splitlines()
        at = next(i for i, ln in enumerate(lines) if ln.startswith("Field"))
        body = lines[at + 1:]
        assert np.all(np.diff([float(b.split(",")[0]) for b in body]) > 0)    # one rising sweep
        order = rng.permutation(len(body))
        (folder / src.name).write_text("\n".join(lines[:at + 1] + [body[i] for i in order]) + "\n")
    assert main(["stfmr", str(folder), "--no-figures", "--out", str(tmp_path / "no")]) == 2
    err = capsys.readouterr().err
    assert "read them in field order with --sort-field" in err and "allowed by the field" not in err
    runs = {}
    for name, src, extra in (("sorted", ROOT / "data" / "stfmr_example", []),
                             ("shuffled", folder, ["--sort-field"])):
        out = tmp_path / name
        assert main(["stfmr", str(src), *extra, "--no-figures", "--out", str(out)]) == 0
        runs[name] = json.loads((out / "summary.json").read_text())["sequential"]
    for k in ("mu0_meff", "alpha", "gyromagnetic_ratio"):
        assert runs["shuffled"][k]["value"] == runs["sorted"][k]["value"]
