"""Input files whose names are bytes of another encoding (Latin-1 on a UTF-8 system) are
refused before any work, naming the file: the whole analysis ran, then writing the tables
failed with "'utf-8' codec can't encode character '\\udce9'", naming no file."""

import os
import shutil
from pathlib import Path

import pytest

from sotfit.cli import main

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.mark.parametrize("command, example, extra", [
    ("stfmr", "stfmr_example", []),
    ("hall", "hall_example/inplane", ["--method", "avci", "--current", "1.5mA",
                                      "--current-is", "rms"]),
])
def test_a_file_name_that_is_not_utf8_is_refused_naming_it(tmp_path, capsys, command, example,
                                                           extra):
    folder = tmp_path / "in"
    shutil.copytree(DATA / example, folder)
    first = sorted(p for p in folder.iterdir() if p.suffix == ".csv")[0]
    latin1 = os.fsdecode(os.fsencode(str(folder)) + b"/r\xe9sultat_" + os.fsencode(first.name))
    try:
        os.rename(first, latin1)
    except (OSError, UnicodeError):
        pytest.skip("the file system does not take a name of undecodable bytes")
    assert main([command, str(folder), *extra, "--no-figures", "--out",
                 str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "r\\xe9sultat_" in err and "is not UTF-8 text" in err
    assert not (tmp_path / "o").exists()
