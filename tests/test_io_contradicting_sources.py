"""A file that says two things (its name 9 GHz, its header 8 GHz) was an error whose only way
out was editing the file: the option given for it (--frequency FILE=8GHz) gave the same error.
An option that picks one of the file's two values now settles it (a warning names the value
overruled); a third value stays an error, as does an option against a file that agrees with
itself."""

import warnings

import pytest

from bundled import SPECTRUM
from sotfit.data import DataError
from sotfit.io import read_stfmr


def test_an_option_picks_one_of_two_values_a_file_gives(tmp_path):
    text = SPECTRUM.read_text(encoding="utf-8").replace("# frequency_GHz: 10",
                                                        "# frequency_GHz: 8")
    path = tmp_path / "py_pt_9GHz.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataError, match=r"gives 8 GHz but the file name gives 9 GHz .*settles "
                                        r"it \(frequency=\{'py_pt_9GHz.csv': 9\}\)"):
        read_stfmr(path)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        sweep = read_stfmr(path, frequency={"py_pt_9GHz.csv": 8})
    assert [d.meta["frequency"] for d in sweep] == [8.0]
    assert any("the file name gives 9 GHz" in str(w.message) for w in caught)
    with pytest.raises(DataError, match="gives 8 GHz but the file name gives 9 GHz"):
        read_stfmr(path, frequency={"py_pt_9GHz.csv": 7})
    with pytest.raises(DataError, match="gives 10 GHz"):
        read_stfmr(SPECTRUM, frequency={SPECTRUM.name: 9})
