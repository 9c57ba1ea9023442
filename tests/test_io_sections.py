"""Files that hold several tables one after another, each under its own header entries, as a
program that appends every sweep to one file writes them. Each section must read as the file
it came from (its frequency or field its own, not the first section's for all), and a note
between the rows of one sweep must not cut it."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bundled import ROTATIONS, avci_options
from sotfit.cli import main
from sotfit.io import read_stfmr
from sotfit.io.hall import HallReadError, read_hall

EXAMPLE = Path(__file__).resolve().parents[1] / "data" / "stfmr_example"
SPECTRA = sorted(EXAMPLE.glob("py_pt_1*GHz.csv"))


def _blocks():
    """(frequency in GHz as written, header row, data rows) of the example spectra."""
    out = []
    for f in SPECTRA:
        lines = f.read_text().splitlines()
        head = [ln for ln in lines if ln.startswith("#")]
        out.append((f.stem.split("_")[-1][:-3], lines[len(head)], lines[len(head) + 1:]))
    return out


@pytest.mark.parametrize("style", ["savetxt", "header rows", "entries only"])
def test_sections_read_as_the_files_they_came_from(tmp_path, style):
    """``savetxt``: a commented entry and a commented header row above each block (numpy.savetxt
    appending to one file); ``header rows``: the entry commented, the header row bare and
    repeated; ``entries only``: one header row at the top, an entry above each block."""
    lines = ["# sample: Py/Pt bar 3", "# field_angle_deg: 45"]
    for k, (ghz, header, rows) in enumerate(_blocks()):
        lines.append(f"# Frequency: {ghz} GHz")
        if style == "savetxt":
            lines.append("# " + header.replace(",", "\t"))
        elif style == "header rows" or k == 0:
            lines.append(header.replace(",", "\t"))
        lines += [r.replace(",", "\t") for r in rows]
        if style == "header rows":
            lines.append("")
    p = tmp_path / "all_sweeps.txt"
    p.write_text("\n".join(lines) + "\n")
    got = read_stfmr(p)
    ref = {d.meta["frequency"]: d for f in SPECTRA for d in read_stfmr(f)}
    assert [d.meta["frequency"] for d in got] == sorted(ref)
    for d in got:
        r = ref[d.meta["frequency"]]
        assert np.array_equal(d.x, r.x) and np.array_equal(d.y, r.y)
        assert d.meta["field_angle"] == 45.0
    assert [d.source for d in got][:2] == ["all_sweeps.txt[section 1]", "all_sweeps.txt[section 2]"]


def test_a_note_between_the_rows_of_one_sweep_does_not_cut_it(tmp_path):
    lines = SPECTRA[0].read_text().splitlines()
    lines.insert(300, "# paused: 12:30, field controller reset")
    lines.insert(500, "# Note = magnet quench avoided")
    p = tmp_path / "one_10GHz.csv"
    p.write_text("\n".join(lines) + "\n")
    got, ref = read_stfmr(p), read_stfmr(SPECTRA[0])
    assert len(got) == 1 and np.array_equal(got[0].y, ref[0].y)


def test_the_command_fits_every_section_at_its_own_frequency(tmp_path):
    lines = []
    for ghz, header, rows in _blocks():
        lines += [f"# Frequency: {ghz} GHz", "# " + header, *rows]
    p = tmp_path / "sweeps.csv"
    p.write_text("\n".join(lines) + "\n")
    assert main(["stfmr", str(p), "--out", str(tmp_path / "o"), "--no-figures"]) == 0
    table = pd.read_csv(tmp_path / "o" / "spectra.csv", comment="#")
    assert sorted(set(table["frequency (GHz)"])) == [10.0, 12.0, 14.0, 16.0, 18.0]


def _hall_sections(path, entry):
    lines = []
    for k, f in enumerate(ROTATIONS):
        df = pd.read_csv(f)
        lines.append(entry(k, df["field (mT)"].iloc[0]))
        body = df.drop(columns=["field (mT)"]).to_csv(index=False).splitlines()
        lines += body if k == 0 else body[1:]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_hall_scans_under_their_own_field_entries_read_as_the_files(tmp_path):
    """Rotations appended to one file, each under ``# Field (mT): ...`` and without a field
    column: one scan per section at its own field, the numbers of the separate files."""
    p = _hall_sections(tmp_path / "rotations.csv", lambda k, mt: f"# Field (mT): {mt}")
    assert main(["hall", str(p), *avci_options(), "--out", str(tmp_path / "o")]) == 0
    assert main(["hall", *map(str, ROTATIONS), *avci_options(), "--out", str(tmp_path / "r")]) == 0
    got = json.loads((tmp_path / "o" / "summary.json").read_text())
    ref = json.loads((tmp_path / "r" / "summary.json").read_text())
    assert got["quantities"] == ref["quantities"]       # exact float equality
    assert any("rotations.csv[section 2]: field of the rotation 10 mT read from the preamble "
               "entry 'Field (mT)' (line 183)" in n for n in got["notes"])


def test_field_entries_between_the_rows_that_start_no_section_are_refused(tmp_path):
    """Entries below the rows spelled otherwise than the one above them (so no section starts):
    read with the first entry's field for every scan they would be wrong; the reader names
    them instead."""
    p = _hall_sections(tmp_path / "rotations.csv",
                       lambda k, mt: f"# Field (mT): {mt}" if k == 0 else f"# B = {mt} mT")
    with pytest.raises(HallReadError, match=r"entries of the field of the rotation between the "
                                            r"rows \(line 183, 364, 545"):
        read_hall(p, current=1.5, current_is="rms", lockin_output="rms", r2w_channel="X")
