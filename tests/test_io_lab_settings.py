"""Settings above an ST-FMR table as lab programs write them, read as header entries: a
LabVIEW export with name, value and unit in three cells (``Frequency<TAB>6.000000<TAB>GHz``)."""

import numpy as np
import pytest

from sotfit.io import read_stfmr

FIELDS_MT = np.round(np.arange(-100.0, 100.1, 2.5), 4)
VOLTS_UV = np.round(2.0 / (1.0 + ((np.abs(FIELDS_MT) - 60.0) / 4.0) ** 2) + 0.01 * FIELDS_MT, 5)


def _rows(delimiter: str) -> str:
    return "".join(f"{h:.4f}{delimiter}{v:.5f}\n" for h, v in zip(FIELDS_MT, VOLTS_UV))


def _assert_numbers(d):
    assert np.allclose(d.x, FIELDS_MT * 1e-3, rtol=1e-12, atol=0)
    assert np.array_equal(d.y, VOLTS_UV)


def test_settings_of_name_value_and_unit_in_three_cells(tmp_path):
    f = tmp_path / "scan0.txt"
    f.write_text("Frequency\t6.000000\tGHz\nPower\t10\tdBm\nTemperature\t300\tK\n"
                 "Time constant\t100\t(ms)\nField (mT)\tVmix (uV)\n" + _rows("\t"))
    (d,) = read_stfmr(f)
    _assert_numbers(d)
    assert d.meta["frequency"] == 6.0 and d.meta["power"] == 10.0
    assert d.meta["frequency_from"] == "header entry 'Frequency'"
    assert d.meta["Temperature"] == "300 K" and d.meta["Time constant"] == "100 ms"


@pytest.mark.parametrize("delimiter", [",", ";"])
def test_three_cell_settings_padded_by_a_spreadsheet(tmp_path, delimiter):
    f = tmp_path / "scan.csv"
    f.write_text(delimiter.join(["Frequency", "8.5", "GHz", "", ""]) + "\n"
                 + delimiter.join(["Field (mT)", "Vmix (uV)"]) + "\n" + _rows(delimiter))
    (d,) = read_stfmr(f)
    _assert_numbers(d)
    assert d.meta["frequency"] == 8.5


def test_three_cells_whose_last_is_no_unit_stay_an_error(tmp_path):
    f = tmp_path / "scan_6GHz.txt"
    f.write_text("Frequency\t6\t12.5\nField (mT)\tVmix (uV)\n" + _rows("\t"))
    with pytest.raises(ValueError, match="line 1"):
        read_stfmr(f)


@pytest.mark.parametrize("entry", ['"Frequency: 6 GHz",,,', '"Frequency: 6 GHz"',
                                   '"Frequency = 6 GHz";;'])
def test_a_quoted_entry_padded_with_empty_cells(tmp_path, entry):
    """A spreadsheet's quoted entry padded to the table's width: the closing quote was read
    into the unit (``GHz"``)."""
    delimiter = ";" if entry.endswith(";") else ","
    f = tmp_path / "sweep.csv"
    f.write_text(entry + "\n" + delimiter.join(['"Field (mT)"', '"Vmix (uV)"', "", ""]) + "\n"
                 + "".join(f'"{h:.4f}"{delimiter}"{v:.5f}"{delimiter}{delimiter}\n'
                           for h, v in zip(FIELDS_MT, VOLTS_UV)))
    (d,) = read_stfmr(f)
    _assert_numbers(d)
    assert d.meta["frequency"] == 6.0 and d.meta["Frequency"] == "6 GHz"


@pytest.mark.parametrize("comments", ["set point,f = 6 GHz", "f = 6 GHz,Py/Pt bar",
                                      ",f = 6 GHz"])
def test_an_origin_comments_row_of_a_setting_and_free_text(tmp_path, comments):
    """Origin's long names, units and comments rows; the comments row holds the field column's
    comment (free text) and the frequency as a setting."""
    f = tmp_path / "sweep.csv"
    f.write_text("Magnetic Field,Vmix\nmT,μV\n" + comments + "\n" + _rows(","), encoding="utf-8")
    (d,) = read_stfmr(f)
    _assert_numbers(d)
    assert d.meta["frequency"] == 6.0
    (note,) = [n for n in d.meta["reader_notes"] if "the settings of line 3" in n]
    free = [c for c in comments.split(",") if c and "=" not in c]
    assert ("not read" in note) == bool(free) and all(repr(c) in note for c in free)


def test_a_comments_row_with_a_number_beside_a_setting_stays_an_error(tmp_path):
    f = tmp_path / "sweep.csv"
    f.write_text("Magnetic Field,Vmix\nmT,μV\nprobe 2,f = 6 GHz\n" + _rows(","), encoding="utf-8")
    with pytest.raises(ValueError, match=r"line 3 \('probe 2,f = 6 GHz'\), just above the data"):
        read_stfmr(f)
