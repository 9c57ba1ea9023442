"""A folder given as input that holds a link to a data file that is gone (moved or deleted
since the link was made) is refused naming the link: it was read without that file, one
spectrum or scan fewer and no word (exit 0)."""

import shutil
from pathlib import Path

import pytest

from sotfit.cli import main

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.mark.parametrize("command, example", [("stfmr", "stfmr_example"),
                                              ("hall", "hall_example/inplane")])
def test_a_folder_with_a_broken_link_is_refused_naming_it(tmp_path, capsys, command, example):
    source = tmp_path / "source"
    shutil.copytree(DATA / example, source)
    files = sorted(p for p in source.iterdir() if p.suffix == ".csv")
    links = tmp_path / "links"
    links.mkdir()
    for f in files:
        (links / f.name).symlink_to(f)
    files[1].unlink()
    extra = ([] if command == "stfmr" else
             ["--method", "avci", "--current", "1.5mA", "--current-is", "rms"])
    assert main([command, str(links), *extra, "--no-figures", "--out",
                 str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert f"{files[1].name} -> {files[1]}" in err and "does not exist" in err
    assert not (tmp_path / "o").exists()
