"""Names of files of one name in different folders (sotfit.io.folders.distinct_names)."""

import os

from sotfit.io.folders import distinct_names


def test_files_of_one_name_get_as_many_folders_as_tell_them_apart(tmp_path):
    paths = []
    for rel in ("x/dev/a.csv", "y/dev/a.csv", "x/b.csv", "y/other/c.csv", "z/c.csv"):
        p = tmp_path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text("1,2\n")
        paths.append(p)
    names = distinct_names(paths)
    assert names[os.fspath(paths[0])] == "x/dev/a.csv"          # dev/a.csv twice: one more
    assert names[os.fspath(paths[1])] == "y/dev/a.csv"
    assert names[os.fspath(paths[3])] == "other/c.csv" and names[os.fspath(paths[4])] == "z/c.csv"
    assert os.fspath(paths[2]) not in names                       # b.csv is unique
    # the resolved paths are keys too (workers that get absolute paths)
    assert names[str(paths[0].resolve())] == "x/dev/a.csv"
    # one file given twice is one file
    assert distinct_names([paths[2], paths[2]]) == {}
