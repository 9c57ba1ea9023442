"""A table pivoted by frequency, its columns named by bare numbers (pandas' ``to_csv`` of a
table pivoted on the frequency writes ``B (T),6.0E+09,8.0E+09,...``): read as a wide table,
the numbers taken as frequencies in Hz or GHz by their size; before, the header row was
refused as "neither the column header row nor a row of numbers"."""

import json

import numpy as np
import pytest

from sotfit.cli import main
from tests.stfmr_synth import spectrum

FREQS = (6.0, 8.0, 10.0, 12.0)


def _grid():
    h = np.linspace(0.3, -0.3, 601)
    cols = []
    for k, f in enumerate(FREQS):
        d = spectrum(f, seed=k, n=601, h_max=0.3)
        cols.append(d.y)
    return h, np.array(cols).T      # uV


def _write(path, header, h, v):
    with open(path, "w") as fh:
        fh.write(",".join(header) + "\n")
        for hi, row in zip(h, v):
            fh.write(",".join(f"{x:.9g}" for x in (hi, *row)) + "\n")


def _reference(tmp_path, h, v):
    """The summary of the same spectra as a wide table named by frequency and unit."""
    _write(tmp_path / "named.csv", ["B (T)", *[f"Vmix {f:g} GHz (uV)" for f in FREQS]], h, v)
    return _summary(tmp_path, "ref", tmp_path / "named.csv")


def _same_fits(got, ref, rel):
    """The sequential Kittel and damping values of two summaries agree to ``rel``."""
    assert [q["frequency"]["value"] for q in got["spectra"]] == list(FREQS)
    for k in ("mu0_meff", "gyromagnetic_ratio", "alpha", "linewidth_inhomogeneous"):
        assert got["sequential"][k]["value"] == pytest.approx(ref["sequential"][k]["value"],
                                                              rel=rel), k


def _summary(tmp_path, name, files, *extra):
    out = tmp_path / name
    assert main(["stfmr", str(files), "--out", str(out), "--no-figures", *extra]) == 0
    return json.loads((out / "summary.json").read_text())


@pytest.mark.parametrize("names,unit", [([f"{f * 1e9:.1E}" for f in FREQS], "Hz"),
                                        ([f"{f:g}" for f in FREQS], "GHz")])
def test_a_pivoted_table_reads_as_the_named_wide_table(tmp_path, names, unit):
    h, v = _grid()
    ref = _reference(tmp_path, h, v)
    _write(tmp_path / "pivot.csv", ["B (T)", *names], h, v)
    got = _summary(tmp_path, "pivot", tmp_path / "pivot.csv", "--voltage-unit", "uV")
    assert all(s["source"].endswith(f"{n} {unit}]") for s, n in zip(got["spectra"], names))
    _same_fits(got, ref, 1e-9)


def test_the_header_rule_takes_names_then_ordered_numbers_only():
    from sotfit.io.text import _names_then_numbers

    assert _names_then_numbers(["B (T)", "6.0E+09", "8.0E+09"])
    assert _names_then_numbers(["Field (mT)", "16", "12", "8"])
    assert not _names_then_numbers(["Field (mT)", "8", "8"])          # not distinct
    assert not _names_then_numbers(["Field (mT)", "8", "12", "10"])   # not in order
    assert not _names_then_numbers(["0.1", "overload", "0.2"])        # text between numbers
    assert not _names_then_numbers(["Field (mT)", "8"])               # one number


def test_numbers_that_are_no_frequency_are_not_read_as_one(tmp_path):
    h, v = _grid()
    _write(tmp_path / "pivot.csv", ["B (T)", "1000", "2000", "3000", "4000"], h, v)
    out = tmp_path / "o"
    assert main(["stfmr", str(tmp_path / "pivot.csv"), "--out", str(out), "--no-figures",
                 "--voltage-unit", "uV"]) == 2


def test_a_table_joining_the_field_grids_of_its_frequencies(tmp_path, capsys):
    """pandas' outer join of spectra measured on different field grids leaves each frequency's
    column blank at the other grids' fields: those cells are left out (noted); before, the
    column was refused for its blank cells ("remove those rows", which would have deleted the
    other frequencies' data)."""
    import pandas as pd

    frames, single = [], tmp_path / "single"
    single.mkdir()
    for k, (f, n) in enumerate(zip(FREQS, (401, 451, 503, 557))):
        d = spectrum(f, seed=k, n=n, h_max=0.3)
        frames.append(pd.DataFrame({"B (T)": d.x, f"Vmix {f:g} GHz (uV)": d.y}))
        frames[-1].to_csv(single / f"s_{f:g}GHz.csv", index=False,
                          header=["B (T)", "Vmix (uV)"])
    joined = frames[0]
    for fr in frames[1:]:
        joined = joined.merge(fr, on="B (T)", how="outer")
    joined.sort_values("B (T)").to_csv(tmp_path / "joined.csv", index=False)
    ref = _summary(tmp_path, "ref", single)
    got = _summary(tmp_path, "got", tmp_path / "joined.csv")
    assert "rows without a value left out (the table joins the field grids" in \
        capsys.readouterr().err
    _same_fits(got, ref, 1e-9)
    # a blank cell that no other column fills is a missing reading: refused as before
    bad = joined.sort_values("B (T)").reset_index(drop=True)
    middle = bad.index[bad[bad.columns[1]].notna()][200]
    bad.loc[middle, bad.columns[1:]] = np.nan
    bad.to_csv(tmp_path / "bad.csv", index=False)
    assert main(["stfmr", str(tmp_path / "bad.csv"), "--out", str(tmp_path / "o"),
                 "--no-figures"]) == 2


def test_a_matrix_with_one_row_per_frequency_and_a_corner_label(tmp_path, capsys):
    """A 2D map exported with frequencies down and fields across, the corner cell naming both
    (``f (GHz) \\ H (mT)``): read turned, one spectrum per row; the other way round (``B (T) \\
    f (GHz)``) is the wide table. Before: "no voltage column among ['f (GHz) \\ H (mT)', ...]"."""
    h, v = _grid()
    ref = _reference(tmp_path, h, v)
    with open(tmp_path / "map.txt", "w") as fh:
        fh.write("\t".join(["f (GHz) \\ H (mT)", *(f"{x * 1e3:.6g}" for x in h)]) + "\n")
        for f, row in zip(FREQS, v.T):
            fh.write("\t".join([f"{f:g}", *(f"{x:.9g}" for x in row)]) + "\n")
    _write(tmp_path / "wide.csv", ["B (T) \\ f (GHz)", *[f"{f:g}" for f in FREQS]], h, v)
    for name in ("map.txt", "wide.csv"):
        got = _summary(tmp_path, name + ".out", tmp_path / name, "--voltage-unit", "uV")
        _same_fits(got, ref, 1e-6)
    assert "read turned, each frequency a column" in capsys.readouterr().err


@pytest.mark.parametrize("kind", ["npz", "h5"])
def test_a_matrix_saved_beside_its_two_axis_vectors(tmp_path, capsys, kind):
    """A 2D map saved as a matrix with its axes (``vmix`` 4 x 601, ``frequency`` of 4, ``field``
    of 601) in a NumPy or HDF5 file: one row per point. Before: "several columns could be the
    voltage: vmix[0..3]", and naming one lost its frequency."""
    h, v = _grid()
    ref = _reference(tmp_path, h, v)
    if kind == "npz":
        path = tmp_path / "map.npz"
        np.savez(path, vmix_uV=v.T, freq_GHz=np.array(FREQS), field_T=h)
    else:
        h5py = pytest.importorskip("h5py")
        path = tmp_path / "map.h5"
        with h5py.File(path, "w") as fh:
            for name, data, unit in (("vmix", v.T, "uV"), ("frequency", np.array(FREQS), "GHz"),
                                     ("field", h, "T")):
                fh.create_dataset(name, data=data).attrs["units"] = unit
    got = _summary(tmp_path, "got", path)
    assert "laid on the vectors" in capsys.readouterr().err
    _same_fits(got, ref, 1e-6)


def test_a_labber_log(tmp_path, capsys):
    """A Labber log (HDF5): ``Data/Data`` of points x channels x entries, the channels' names in
    ``Data/Channel names`` and their units in ``Channels`` (``unitPhys``); one entry per
    frequency. Before: "an HDF5 file without two vectors of one length"."""
    h5py = pytest.importorskip("h5py")
    h, v = _grid()
    ref = _reference(tmp_path, h, v)
    data = np.empty((h.size, 3, len(FREQS)))
    for k, f in enumerate(FREQS):
        data[:, 0, k], data[:, 1, k], data[:, 2, k] = h, f * 1e9, v[:, k] * 1e-6
    text = h5py.string_dtype()
    names = [b"Magnet - Field", b"MW source - Frequency", b"Lock-in - Value"]
    path = tmp_path / "log.hdf5"
    with h5py.File(path, "w") as fh:
        fh.create_dataset("Channels", data=np.array(
            list(zip(names, [b"T", b"Hz", b"V"])),
            dtype=[("name", text), ("unitPhys", text)]))
        g = fh.create_group("Data")
        g.create_dataset("Data", data=data)
        g.create_dataset("Channel names", data=np.array(
            [(n, b"") for n in names], dtype=[("name", text), ("info", text)]))
    got = _summary(tmp_path, "got", path, "--column", "voltage=Lock-in - Value (V)")
    assert "Labber log: 4 entries of 601 points" in capsys.readouterr().err
    _same_fits(got, ref, 1e-6)


def test_a_matlab_struct_array_of_sweeps(tmp_path):
    """``S(k).freq_GHz``, ``S(k).H_T``, ``S(k).V_uV`` saved by MATLAB (scipy's savemat here): one
    long table. Before: "a MATLAB file without two vectors of one length (variables: S (4,))"."""
    from scipy.io import savemat

    h, v = _grid()
    ref = _reference(tmp_path, h, v)
    s = np.zeros((1, len(FREQS)), dtype=[("freq_GHz", object), ("H_T", object),
                                         ("V_uV", object)])
    for k, f in enumerate(FREQS):
        s[0, k]["freq_GHz"], s[0, k]["H_T"], s[0, k]["V_uV"] = f, h[:, None], v[:, k][:, None]
    savemat(tmp_path / "sweeps.mat", {"S": s})
    got = _summary(tmp_path, "got", tmp_path / "sweeps.mat")
    _same_fits(got, ref, 1e-6)


def test_a_workbook_of_numbers_stored_as_text_with_decimal_commas(tmp_path):
    """A German Excel sheet whose cells hold '-0,485' as text: read as the same text in a CSV
    file is. Before: "no sheet of the workbook holds numbers"."""
    openpyxl = pytest.importorskip("openpyxl")
    h, v = _grid()
    keep = h != 0
    h, v = h[keep], v[keep]
    ref = _reference(tmp_path, h, v)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["B (T)", *[f"Vmix {f:g} GHz (uV)" for f in FREQS]])
    for hi, row in zip(h, v):
        cells = [f"{x:.9g}".replace(".", ",") for x in (hi, *row)]
        if all("," in c for c in cells):    # every cell a text ('0' would be a number)
            ws.append(cells)
    wb.save(tmp_path / "Messung.xlsx")
    got = _summary(tmp_path, "got", tmp_path / "Messung.xlsx")
    _same_fits(got, ref, 1e-9)
