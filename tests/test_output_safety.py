"""Output safety of every subcommand: sotfit never deletes or changes what it did not write.

Each test hashes the input files (and any unrelated file it plants) before and after the run.
"""

import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest

from sotfit.cli import main
from sotfit.cli.common import MANIFEST, OutputFolder, CLIError

ROOT = Path(__file__).resolve().parents[1]
STFMR = sorted((ROOT / "data" / "stfmr_example").glob("py_pt_*GHz.csv"))[:3]
HALL_CONV = ["--method", "avci", "--current", "1.5mA", "--current-is", "rms", "--lockin-output",
             "rms", "--r2w-channel", "X", "--gain-2w", "10", "--no-plots"]


def tree_hashes(folder: Path) -> dict[str, str]:
    """sha256 of every file below ``folder`` (relative path -> digest)."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def spectra(tmp_path):
    """A folder of ST-FMR input files (copies of the bundled example), and its hashes."""
    d = tmp_path / "spectra"
    d.mkdir()
    for f in STFMR:
        shutil.copy(f, d / f.name)
    return d


def _stfmr(inputs, out, *extra):
    return main(["stfmr", *map(str, inputs), "--out", str(out), "--no-figures", "--no-global",
                 *extra])


def test_out_equal_to_the_input_folder_is_refused_and_nothing_deleted(spectra, capsys):
    before = tree_hashes(spectra)
    assert _stfmr([spectra], spectra, "--overwrite") == 2
    err = capsys.readouterr().err
    assert "is the input" in err and "Traceback" not in err
    assert tree_hashes(spectra) == before


def test_out_inside_or_holding_an_input_is_refused(spectra, tmp_path, capsys):
    before = tree_hashes(tmp_path)
    assert _stfmr([spectra], spectra / "results") == 2
    assert "inside the input folder" in capsys.readouterr().err
    files = sorted(spectra.iterdir())
    assert _stfmr(files, tmp_path, "--overwrite") == 2
    assert "holds the input" in capsys.readouterr().err
    assert tree_hashes(tmp_path) == before and not (spectra / "results").exists()


def test_working_folder_home_and_root_are_refused(spectra, tmp_path, monkeypatch, capsys):
    work = tmp_path / "work"
    work.mkdir()
    (work / "notes.txt").write_text("unrelated")
    monkeypatch.chdir(work)
    files = sorted(spectra.iterdir())
    for out, what in ((".", "working folder"), (str(Path.home()), "home folder"),
                      (Path.cwd().anchor, "root")):
        assert _stfmr(files, out, "--overwrite") == 2
        assert what in capsys.readouterr().err
    assert (work / "notes.txt").read_text() == "unrelated"


def test_overwrite_never_deletes_foreign_files(spectra, tmp_path, capsys):
    files = sorted(spectra.iterdir())
    out = tmp_path / "out"
    out.mkdir()
    (out / "my_notes.txt").write_text("do not delete")
    assert _stfmr(files, out, "--overwrite") == 2
    assert "my_notes.txt" in capsys.readouterr().err
    assert (out / "my_notes.txt").read_text() == "do not delete"
    assert not list(tmp_path.glob(".out.*"))  # no staging folder left behind


def test_overwrite_replaces_only_the_earlier_results(spectra, tmp_path):
    files = sorted(spectra.iterdir())
    inputs = tree_hashes(spectra)
    out = tmp_path / "out"
    assert _stfmr(files, out) == 0
    manifest = json.loads((out / MANIFEST).read_text())
    assert "summary.json" in manifest["files"]
    first = tree_hashes(out)
    # a second run with fewer files replaces the results; a file written by the first and
    # not by the second goes, as it was sotfit's own
    (out / "summary.json").write_text("{}")
    assert _stfmr(files[:2], out, "--overwrite") == 0
    assert json.loads((out / "summary.json").read_text())["inputs"] == [str(f) for f in files[:2]]
    assert set(tree_hashes(out)) <= set(first)
    assert tree_hashes(spectra) == inputs
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out.")]


def test_an_interrupted_run_leaves_the_old_results(spectra, tmp_path, monkeypatch):
    files = sorted(spectra.iterdir())
    out = tmp_path / "out"
    assert _stfmr(files, out) == 0
    before = tree_hashes(out)

    import sotfit.cli.stfmr as cli_stfmr

    def interrupted(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli_stfmr, "write_summary", interrupted)
    with pytest.raises(KeyboardInterrupt):
        _stfmr(files, out, "--overwrite")
    assert tree_hashes(out) == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out.")]


def test_a_failing_run_writes_nothing(spectra, tmp_path, capsys):
    out = tmp_path / "out"
    bad = tmp_path / "bad.csv"
    bad.write_text("")
    assert _stfmr([bad], out) == 2
    assert "bad.csv" in capsys.readouterr().err
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["spectra", "bad.csv"] or \
        sorted(p.name for p in tmp_path.iterdir()) == ["bad.csv", "spectra"]


def test_file_valued_and_unwritable_out_are_clear_errors(spectra, tmp_path, monkeypatch, capsys):
    files = sorted(spectra.iterdir())
    f = tmp_path / "taken"
    f.write_text("a file")
    assert _stfmr(files, f) == 2
    err = capsys.readouterr().err
    assert "is a file" in err and "Traceback" not in err
    assert f.read_text() == "a file"
    # a parent that cannot be written (simulated: the run may be root, which ignores modes)
    import sotfit.cli.output as output

    monkeypatch.setattr(output.os, "access", lambda *a, **k: False)
    assert _stfmr(files, tmp_path / "ro" / "out") == 2
    assert "permission denied" in capsys.readouterr().err


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0,
                    reason="file modes do not bind the superuser")
def test_read_only_parent_is_a_clear_error(spectra, tmp_path, capsys):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        assert _stfmr(sorted(spectra.iterdir()), ro / "out") == 2
        assert "permission denied" in capsys.readouterr().err
    finally:
        ro.chmod(0o755)


# every subcommand: an input folder given as --out, and a folder with a foreign file
def _commands(tmp_path):
    hall_in = tmp_path / "hall_in"
    shutil.copytree(ROOT / "data" / "hall_example" / "inplane", hall_in)
    thick_in = tmp_path / "thick_in"
    thick_in.mkdir()
    shutil.copy(ROOT / "data" / "thickness_example" / "nife_bisb.csv", thick_in)
    spectra = tmp_path / "st_in"
    spectra.mkdir()
    for f in STFMR:
        shutil.copy(f, spectra / f.name)
    return {
        "stfmr": (["stfmr", *map(str, sorted(spectra.iterdir())), "--no-figures", "--no-global"],
                  spectra),
        "hall": (["hall", *map(str, sorted(hall_in.glob("phi_*.csv"))), *HALL_CONV], hall_in),
        "thickness": (["thickness", str(thick_in / "nife_bisb.csv"), "--json"], thick_in),
        "kp": (["theory", "kp", "--model", "2deg", "--sweep", "mu=0:0.01:2", "--no-figures"], None),
        "interface": (["theory", "interface", "--model", "barrier", "--map", "dt=0:1:2,J=0.1:1:2",
                       "--no-figures"], None),
        "tmatrix": (["theory", "tmatrix", "--exchange", "5meV", "--sweep", "energy=1meV:9meV:2",
                     "--no-figures"], None),
    }


@pytest.mark.parametrize("name", ["stfmr", "hall", "thickness", "kp", "interface", "tmatrix"])
def test_every_subcommand_keeps_inputs_and_foreign_files(name, tmp_path, capsys):
    argv, inp = _commands(tmp_path)[name]
    before = tree_hashes(tmp_path)
    if inp is not None:
        assert main([*argv, "--out", str(inp), "--overwrite"]) == 2
        assert "input" in capsys.readouterr().err
        assert tree_hashes(tmp_path) == before
    out = tmp_path / "out"
    assert main([*argv, "--out", str(out)]) == 0, capsys.readouterr().err
    assert (out / "summary.json").is_file() and (out / MANIFEST).is_file()
    (out / "mine.dat").write_text("precious")
    assert main([*argv, "--out", str(out), "--overwrite"]) == 2
    assert "mine.dat" in capsys.readouterr().err
    assert (out / "mine.dat").read_text() == "precious"
    (out / "mine.dat").unlink()
    assert main([*argv, "--out", str(out), "--overwrite"]) == 0
    after = tree_hashes(tmp_path)
    assert {k: v for k, v in after.items() if not k.startswith("out")} == before


def test_output_folder_as_a_context_manager(tmp_path):
    out = tmp_path / "res"
    with OutputFolder(out) as stage:
        (stage / "a.txt").write_text("1")
        assert not out.exists()
    assert (out / "a.txt").read_text() == "1"
    with pytest.raises(RuntimeError):
        with OutputFolder(out, overwrite=True) as stage:
            (stage / "a.txt").write_text("2")
            raise RuntimeError("boom")
    assert (out / "a.txt").read_text() == "1"
    with pytest.raises(CLIError):
        OutputFolder(out)  # not empty, no --overwrite
