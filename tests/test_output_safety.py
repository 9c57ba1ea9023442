"""Output safety of every subcommand: sotfit never deletes or changes what it did not write.

Each test hashes the input files (and any unrelated file it plants) before and after the run.
"""

import hashlib
import json
import os
import re
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


def test_an_empty_out_is_refused_not_read_as_the_working_folder(spectra, tmp_path,
                                                                 monkeypatch, capsys):
    """'--out ""' (an unset shell variable) was refused as "--out . is the working folder",
    naming a '.' never typed; it is refused as empty before any work."""
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exc:
        _stfmr([spectra], "")
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "--out: empty" in err and "working folder" not in err


def test_out_inside_an_input_folder_reached_by_a_bind_mount_is_refused(spectra, tmp_path,
                                                                        capsys):
    """The same folder mounted under a second path put --out inside an input folder unseen
    (paths compared, not the folders): results were written among the inputs."""
    import subprocess

    other = tmp_path / "mounted"
    other.mkdir()
    if subprocess.run(["mount", "--bind", str(spectra), str(other)],
                      capture_output=True).returncode != 0:
        pytest.skip("bind mounts need privileges this test run lacks")
    try:
        before = tree_hashes(spectra)
        assert _stfmr([spectra], other / "results") == 2
        assert "lies inside the input folder" in capsys.readouterr().err
        assert tree_hashes(spectra) == before
    finally:
        subprocess.run(["umount", str(other)], capture_output=True)


def test_a_full_disk_names_out_and_keeps_the_earlier_results(spectra, tmp_path, monkeypatch,
                                                              capsys):
    """A full disk said 'No space left on device; nothing was written', naming neither --out
    nor whether the earlier results there were kept (they are)."""
    import errno

    out = tmp_path / "o"
    assert _stfmr([spectra], out) == 0
    before = tree_hashes(out)
    capsys.readouterr()

    def full(self):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(OutputFolder, "commit", full)
    assert _stfmr([spectra], out, "--overwrite") == 2
    err = capsys.readouterr().err
    assert f"writing the results for --out {out}: {os.strerror(errno.ENOSPC)}" in err
    assert f"earlier results in {out} are untouched" in err
    assert tree_hashes(out) == before


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
    assert _stfmr(files[:2], out, "--overwrite") == 0
    assert json.loads((out / "summary.json").read_text())["inputs"] == [str(f) for f in files[:2]]
    assert set(tree_hashes(out)) <= set(first)
    assert tree_hashes(spectra) == inputs
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out.")]


def test_an_interrupted_run_leaves_the_old_results(spectra, tmp_path, monkeypatch, capsys):
    """Ctrl-C: the earlier results stay, no staging folder is left, and the command says so in
    one line with exit status 130 (it printed the traceback of wherever the work was)."""
    files = sorted(spectra.iterdir())
    out = tmp_path / "out"
    assert _stfmr(files, out) == 0
    before = tree_hashes(out)

    import sotfit.cli.stfmr as cli_stfmr

    def interrupted(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli_stfmr, "write_summary", interrupted)
    capsys.readouterr()
    assert _stfmr(files, out, "--overwrite") == 130
    err = capsys.readouterr().err
    assert err.strip() == (f"sotfit stfmr: interrupted; nothing was written (earlier results in "
                           f"{out} are untouched)")
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


def test_a_failing_run_leaves_no_folder_it_made_for_out(spectra, tmp_path, capsys):
    """A run that failed left the parents it made for --out (a/b/c of --out a/b/c/res); and a
    mistyped input that was --out's parent became an empty folder, read as 'holds no data
    files' (a second run then behaved otherwise). Neither now."""
    assert _stfmr([spectra, tmp_path / "nosuch.csv"], tmp_path / "a" / "b" / "c" / "res") == 2
    assert "nosuch.csv: no such file or folder" in capsys.readouterr().err
    assert not (tmp_path / "a").exists()
    missing = tmp_path / "nosuch"
    assert _stfmr([missing], missing / "res") == 2
    err = capsys.readouterr().err
    assert "nosuch: no such file or folder (--out" in err and "holds no data files" not in err
    assert not missing.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["spectra"]
    # a run that succeeds keeps the folders it made
    assert _stfmr([spectra], tmp_path / "x" / "y" / "res") == 0
    assert (tmp_path / "x" / "y" / "res" / "summary.json").exists()


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


# ------------------------------------------------------------------ links, folders, signals
def test_out_as_a_link_writes_into_the_folder_it_points_to(spectra, tmp_path, monkeypatch):
    """Results kept on another disk through a link: the link stays a link and the results land
    in its folder (a first run, then --overwrite of the earlier results). Before, the first run
    ended in a traceback with its results thrown away, and --overwrite moved the user's link away
    and put a folder in its place."""
    monkeypatch.chdir(tmp_path)
    files = sorted(spectra.iterdir())
    (tmp_path / "disk" / "results").mkdir(parents=True)
    (tmp_path / "res").symlink_to("disk/results")
    assert _stfmr(files, "res") == 0
    assert (tmp_path / "res").is_symlink()
    assert (tmp_path / "disk" / "results" / "summary.json").is_file()
    assert _stfmr(files, "res", "--overwrite") == 0
    assert (tmp_path / "res").is_symlink() and os.readlink(tmp_path / "res") == "disk/results"
    assert (tmp_path / "disk" / "results" / "summary.json").is_file()
    assert sorted(p.name for p in (tmp_path / "disk").iterdir()) == ["results"]


def test_a_link_to_nothing_is_refused(spectra, tmp_path, capsys):
    (tmp_path / "res").symlink_to(tmp_path / "nowhere")
    assert _stfmr(sorted(spectra.iterdir()), tmp_path / "res") == 2
    assert "which does not exist" in capsys.readouterr().err
    assert (tmp_path / "res").is_symlink() and not (tmp_path / "nowhere").exists()


def test_overwrite_refuses_folders_and_links_it_did_not_write(spectra, tmp_path, capsys):
    """An empty folder and a link to a folder that the user put among the results are theirs:
    --overwrite is refused naming them (before, the empty folder was deleted and the link moved
    to a hidden folder)."""
    files = sorted(spectra.iterdir())
    out = tmp_path / "out"
    assert _stfmr(files, out) == 0
    (out / "my_notes").mkdir()
    (out / "raw").symlink_to(spectra, target_is_directory=True)
    assert _stfmr(files, out, "--overwrite") == 2
    err = capsys.readouterr().err
    assert "my_notes/" in err and "raw" in err
    assert (out / "my_notes").is_dir() and (out / "raw").is_symlink()


def test_an_ancestor_of_the_working_folder_is_refused(spectra, tmp_path, monkeypatch, capsys):
    here = tmp_path / "anc" / "figures"
    here.mkdir(parents=True)
    monkeypatch.chdir(here)
    for out in ("..", str(tmp_path / "anc")):
        assert _stfmr(sorted(spectra.iterdir()), out, "--overwrite") == 2
        assert "holds the working folder" in capsys.readouterr().err
    assert here.is_dir()


def test_results_said_to_be_kept_are_kept(spectra, tmp_path):
    """Another run wrote into --out while this one ran: the message says where the new results
    are kept, and they are still there when the command has ended."""
    out = tmp_path / "out"
    folder = OutputFolder(out)
    staged = folder.stage()
    (staged / "summary.json").write_text("{}")
    assert _stfmr(sorted(spectra.iterdir()), out) == 0      # the other run
    with pytest.raises(CLIError, match="another sotfit run wrote its results there.*kept in"):
        folder.commit()
    folder.discard()
    assert (staged / "summary.json").is_file()


def test_the_output_folder_takes_the_users_permissions(spectra, tmp_path):
    old = os.umask(0o022)
    try:
        out = tmp_path / "out"
        assert _stfmr(sorted(spectra.iterdir()), out) == 0
    finally:
        os.umask(old)
    assert out.stat().st_mode & 0o777 == 0o755


def test_a_terminated_run_leaves_no_staging_folder(spectra, tmp_path):
    """SIGTERM (a batch system's cancel) and SIGHUP end a run as an interrupt does: the staging
    folder beside --out is removed (before, it stayed, hidden, with a summary inside)."""
    import signal
    import subprocess
    import sys
    import time

    code = ("import sys, time\nimport sotfit.cli.stfmr as c\n"
            "def slow(*a, **k):\n    time.sleep(60)\n"
            "c.write_summary = slow\n"
            "from sotfit.cli import main\nsys.exit(main(sys.argv[1:]))\n")
    for sig in (signal.SIGTERM, signal.SIGHUP):
        out = tmp_path / f"out_{sig.name}"
        proc = subprocess.Popen([sys.executable, "-c", code, "stfmr", str(spectra), "--out",
                                 str(out), "--no-figures", "--no-global"],
                                env={**os.environ, "PYTHONPATH": str(ROOT)},
                                stderr=subprocess.PIPE, text=True)
        deadline = time.time() + 120
        while time.time() < deadline and not list(tmp_path.glob(f".{out.name}.partial-*")):
            time.sleep(0.2)
        assert list(tmp_path.glob(f".{out.name}.partial-*")), "the run never staged"
        proc.send_signal(sig)
        assert proc.wait(60) == 128 + sig
        assert not list(tmp_path.glob(f".{out.name}.partial-*")) and not out.exists()
        # said in one line, as for Ctrl-C (it ended without a word); no earlier results to
        # speak of in a first run
        assert proc.stderr.read().strip() == (f"sotfit stfmr: stopped by {sig.name}; nothing "
                                              "was written")


def test_the_subcommand_name_is_not_taken_for_an_input(tmp_path, monkeypatch):
    """A folder named like the subcommand (``hall/``) is not an input: --out inside it works
    (before: "--out hall/new lies inside the input folder hall")."""
    rotations = sorted((ROOT / "data" / "hall_example" / "inplane").glob("phi_*.csv"))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "hall").mkdir()
    assert main(["hall", *map(str, rotations), *HALL_CONV, "--out", "hall/new"]) == 0
    assert (tmp_path / "hall" / "new" / "summary.json").is_file()


def test_a_record_naming_files_outside_the_folder_deletes_nothing(spectra, tmp_path, capsys):
    """A results folder whose record (edited, or from another machine) listed '../spectra/a.csv'
    and an absolute path made --overwrite delete those files, the run's own inputs among them,
    with exit status 0. Such a record is not sotfit's: the run is refused and nothing goes."""
    files = sorted(spectra.iterdir())
    inputs = tree_hashes(spectra)
    out = tmp_path / "out"
    assert _stfmr(files, out) == 0
    record = json.loads((out / MANIFEST).read_text())
    record["files"] += [f"../spectra/{files[0].name}", str(files[1].resolve())]
    (out / MANIFEST).write_text(json.dumps(record))
    before = tree_hashes(out)
    assert _stfmr(files, out, "--overwrite") == 2
    err = capsys.readouterr().err
    assert "names files outside it" in err and "nothing is deleted" in err
    assert tree_hashes(spectra) == inputs
    assert tree_hashes(out) == before


def test_a_recorded_file_through_a_link_to_another_folder_stays(spectra, tmp_path):
    """A record naming 'link/a.csv', 'link' being a link in the results folder to a folder
    elsewhere: the file it leads to stays. Names added to the record without a digest (sotfit
    records one for every file it writes) are not sotfit's: the run is refused and the link
    stays too (before, the link was deleted as the record's)."""
    files = sorted(spectra.iterdir())
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "a.csv").write_text("keep me\n")
    out = tmp_path / "out"
    assert _stfmr(files, out) == 0
    (out / "link").symlink_to(elsewhere, target_is_directory=True)
    record = json.loads((out / MANIFEST).read_text())
    record["files"] += ["link", "link/a.csv"]
    (out / MANIFEST).write_text(json.dumps(record))
    assert _stfmr(files, out, "--overwrite") == 2
    assert (elsewhere / "a.csv").read_text() == "keep me\n"
    assert (out / "link").is_symlink()


@pytest.mark.parametrize("overwrite", [False, True])
def test_an_existing_output_folder_keeps_its_permissions_and_group(spectra, tmp_path, overwrite):
    """The results folder replaced the one given: a group-private folder with the setgid bit
    (drwxrws---) became drwxr-xr-x, readable by every user, and lost its group."""
    out = tmp_path / "shared_out"
    if overwrite:
        assert _stfmr(sorted(spectra.iterdir()), out) == 0
    else:
        out.mkdir()
    os.chmod(out, 0o2770)
    groups = [g for g in os.getgroups() if g != out.stat().st_gid]
    if os.geteuid() == 0:
        groups = groups or [65534]
    group = groups[0] if groups else None
    if group is not None:
        os.chown(out, -1, group)
    extra = ["--overwrite"] if overwrite else []
    assert _stfmr(sorted(spectra.iterdir()), out, *extra) == 0
    assert (out / "summary.json").is_file()
    assert out.stat().st_mode & 0o7777 == 0o2770
    if group is not None:
        assert out.stat().st_gid == group


def test_written_to_is_said_only_once_the_results_are_in_place(spectra, tmp_path, capsys,
                                                                monkeypatch):
    """'written to OUT' was printed before the move into place, which then failed (the folder
    changed during the run): the last line claimed success, exit status 2."""
    from sotfit.cli import output as output_module

    out = tmp_path / "out"

    def appear(self):
        out.mkdir(exist_ok=True)
        (out / "notes.txt").write_text("a colleague's file")
        return original(self)
    original = output_module.OutputFolder.commit
    monkeypatch.setattr(output_module.OutputFolder, "commit", appear)
    assert _stfmr(sorted(spectra.iterdir()), out) == 2
    captured = capsys.readouterr()
    assert "written to" not in captured.out
    assert "changed during the run" in captured.err
    monkeypatch.undo()
    out2 = tmp_path / "out2"
    assert _stfmr(sorted(spectra.iterdir()), out2) == 0
    assert f"written to {out2}" in capsys.readouterr().out


def test_earlier_results_that_cannot_be_removed_leave_a_warning_not_an_error(
        spectra, tmp_path, capsys, monkeypatch):
    """The new results were complete in place, yet a file of the earlier run that could not be
    deleted made the command end with 'error: permission denied', exit status 2."""
    from sotfit.cli import output as output_module

    out = tmp_path / "out"
    assert _stfmr(sorted(spectra.iterdir()), out) == 0

    def refuse(folder):
        raise PermissionError(13, "Permission denied", str(folder / "summary.json"))
    monkeypatch.setattr(output_module.OutputFolder, "_remove_recorded", staticmethod(refuse))
    assert _stfmr(sorted(spectra.iterdir()), out, "--overwrite") == 0
    err = capsys.readouterr().err
    assert "the earlier results could not all be removed" in err and ".out.old-" in err
    assert json.loads((out / "summary.json").read_text())["analysis"] == "stfmr"


def test_overwrite_says_when_it_replaces_another_commands_results(spectra, tmp_path, capsys):
    """--overwrite of a folder holding 'sotfit stfmr' results with those of 'sotfit theory
    tmatrix' deleted them without a word: the record names the command, and the warning too."""
    out = tmp_path / "out"
    assert _stfmr(sorted(spectra.iterdir()), out) == 0
    assert json.loads((out / MANIFEST).read_text())["command"] == "stfmr"
    capsys.readouterr()
    assert main(["theory", "tmatrix", "--sweep", "energy=2meV:6meV:3", "--out", str(out),
                 "--overwrite", "--no-figures"]) == 0
    assert "--overwrite replaces the results of 'sotfit stfmr'" in capsys.readouterr().err
    assert json.loads((out / MANIFEST).read_text())["command"] == "theory tmatrix"
    assert main(["theory", "tmatrix", "--sweep", "energy=2meV:6meV:3", "--out", str(out),
                 "--overwrite", "--no-figures"]) == 0
    assert "replaces the results" not in capsys.readouterr().err


def test_overwrite_keeps_results_edited_after_the_run(spectra, tmp_path, capsys):
    """A results file edited after the run (annotations in summary.csv) was deleted by
    --overwrite, since the record named it: the record keeps each file's digest, and a file that
    no longer matches it is the user's, refused by name (before and during the run)."""
    files = sorted(spectra.iterdir())
    out = tmp_path / "out"
    assert _stfmr(files, out) == 0
    with open(out / "summary.json", "a") as fh:
        fh.write("\n# checked by hand: the 8 GHz branch is fine\n")
    before = tree_hashes(out)
    assert _stfmr(files, out, "--overwrite") == 2
    err = capsys.readouterr().err
    assert "changed since sotfit wrote them (summary.json)" in err and "Traceback" not in err
    assert tree_hashes(out) == before
    # an unedited folder is still replaced
    out2 = tmp_path / "out2"
    assert _stfmr(files, out2) == 0
    assert _stfmr(files[:2], out2, "--overwrite") == 0


def test_a_file_edited_while_the_run_goes_on_keeps_both(spectra, tmp_path, monkeypatch):
    """An edit made to the earlier results while the new run works is seen at the move into
    place: nothing is deleted and the new results are kept beside, as for files that appear."""
    files = sorted(spectra.iterdir())
    out = tmp_path / "out"
    assert _stfmr(files, out) == 0
    folder = OutputFolder(out, overwrite=True)
    stage = folder.stage()
    (stage / "summary.json").write_text("{}")
    (out / "summary.json").write_text("edited\n")
    with pytest.raises(CLIError, match="results in it were changed"):
        folder.commit()
    assert (out / "summary.json").read_text() == "edited\n"
    assert (stage / "summary.json").exists()


def test_an_unexpanded_home_in_out_is_refused(spectra, tmp_path, monkeypatch, capsys):
    """--out '~/results' (quoted, or after '=') made a folder named '~' in the working folder."""
    monkeypatch.chdir(tmp_path)
    files = sorted(spectra.iterdir())
    for out in ("~/results", "~", "--out=~/r"):
        args = [out] if out.startswith("--") else ["--out", out]
        argv = ["stfmr", *map(str, files), "--no-figures", "--no-global", *args]
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert "which the shell did not expand" in err and "Traceback" not in err
    assert not (tmp_path / "~").exists()


def test_a_record_without_digests_is_not_trusted(spectra, tmp_path, capsys):
    """A record without digests (an earlier version's) was judged by file times: a file of the
    user's moved in under a recorded name (``mv``, ``cp -p`` and ``rsync -a`` keep its older
    time) was deleted by --overwrite. Its files cannot be told from the user's: refused, and
    nothing is deleted."""
    import time

    files = sorted(spectra.iterdir())
    out = tmp_path / "out"
    assert _stfmr(files, out) == 0
    record = json.loads((out / MANIFEST).read_text())
    record.pop("sha256")
    (out / MANIFEST).write_text(json.dumps(record))
    mine = tmp_path / "summary.json"
    mine.write_text('{"my": "notes"}\n')
    old = time.time() - 3600
    for f in (*out.rglob("*"), mine):
        os.utime(f, (old, old))
    os.replace(mine, out / "summary.json")                  # as mv does, its time kept
    before = tree_hashes(out)
    assert _stfmr(files, out, "--overwrite") == 2
    err = capsys.readouterr().err
    assert "keeps no checksums of the files it names" in err and "Traceback" not in err
    assert tree_hashes(out) == before


def test_a_name_added_to_the_record_is_not_deleted(spectra, tmp_path, capsys):
    """A file of the user's whose name was added to the record's list of files, without a
    digest (sotfit records one for every file it writes), was deleted by --overwrite."""
    files = sorted(spectra.iterdir())
    out = tmp_path / "out"
    assert _stfmr(files, out) == 0
    (out / "notes.txt").write_text("my notes\n")
    record = json.loads((out / MANIFEST).read_text())
    record["files"].append("notes.txt")
    (out / MANIFEST).write_text(json.dumps(record))
    before = tree_hashes(out)
    assert _stfmr(files, out, "--overwrite") == 2
    assert "changed since sotfit wrote them (notes.txt)" in capsys.readouterr().err
    assert tree_hashes(out) == before


def test_a_record_that_is_a_link_is_not_trusted(spectra, tmp_path, capsys):
    """A record file replaced by a link (to a copy of it kept elsewhere) was replaced by a file
    of its own by --overwrite: a link is not a record sotfit writes, so the folder's files
    count as the user's and nothing is replaced."""
    files = sorted(spectra.iterdir())
    out = tmp_path / "out"
    assert _stfmr(files, out) == 0
    kept = tmp_path / "record_copy.json"
    shutil.copy(out / MANIFEST, kept)
    (out / MANIFEST).unlink()
    (out / MANIFEST).symlink_to(kept)
    before = tree_hashes(tmp_path)
    assert _stfmr(files, out, "--overwrite") == 2
    assert "holds files sotfit did not write" in capsys.readouterr().err
    assert (out / MANIFEST).is_symlink() and tree_hashes(tmp_path) == before


@pytest.mark.parametrize("case", ["too_long", "staging_too_long", "parent_is_a_file",
                                  "input_too_long"])
def test_names_the_file_system_refuses_are_said_in_one_line(spectra, tmp_path, monkeypatch,
                                                            capsys, case):
    """A name longer than 255 bytes (--out or an input) ended in an OSError traceback; a name of
    240-255 bytes was refused for the longer name of the folder written beside it first, and
    --out under a file was said to be 'permission denied'."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "afile").write_text("x\n")
    files = [str(f) for f in sorted(spectra.iterdir())]
    out = {"too_long": "a" * 300, "staging_too_long": "b" * 245,
           "parent_is_a_file": "afile/x", "input_too_long": "out"}[case]
    if case == "input_too_long":
        files.append(str(spectra / ("c" * 300 + ".csv")))
    assert main(["stfmr", *files, "--out", out, "--no-figures", "--no-global"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    expected = {"too_long": "File name too long", "input_too_long": "File name too long",
                "staging_too_long": "give a name of at most 237 bytes",
                "parent_is_a_file": "afile is a file, not a folder"}[case]
    assert expected in err
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["afile", spectra.name])
    # a name of 237 bytes is written
    assert main(["stfmr", *files[:2], "--out", "d" * 237, "--no-figures", "--no-global"]) == 0


def test_ctrl_c_in_a_first_run_speaks_of_no_earlier_results(spectra, tmp_path, monkeypatch,
                                                           capsys):
    """Ctrl-C in a run whose --out did not exist said its 'earlier results' were untouched."""
    import sotfit.cli.stfmr as cli_stfmr

    def interrupted(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli_stfmr, "write_summary", interrupted)
    out = tmp_path / "new"
    assert _stfmr(sorted(spectra.iterdir()), out) == 130
    assert capsys.readouterr().err.strip() == "sotfit stfmr: interrupted; nothing was written"
    assert not out.exists()


@pytest.mark.parametrize("link", ["summary.json", ""])
def test_an_input_folder_holding_a_link_into_out_is_refused(spectra, tmp_path, capsys, link):
    """A link inside an input folder reaching into --out (a result, or the folder itself) let
    --overwrite replace what the run reads through it (sotfit thickness reads summary.json
    files): refused, naming the link; a link to a folder that holds --out is no such link."""
    out = tmp_path / "out"
    assert _stfmr([spectra], out) == 0
    before = tree_hashes(out)
    inputs = tmp_path / "in2"
    shutil.copytree(spectra, inputs)
    (inputs / "reach").symlink_to(out / link if link else out)
    assert _stfmr([inputs], out, "--overwrite") == 2
    assert f"holds a link into it ({inputs / 'reach'})" in capsys.readouterr().err
    assert tree_hashes(out) == before
    (inputs / "reach").unlink()
    (inputs / "tree").symlink_to(tmp_path)
    assert _stfmr([inputs], out, "--overwrite") == 0


@pytest.mark.parametrize("name", ["stfmr", "hall", "thickness", "kp", "interface", "tmatrix",
                                  "compare"])
def test_every_subcommand_ends_with_where_it_wrote(name, tmp_path, capsys):
    """Each subcommand said where its results went in its own words ('written to', 'wrote',
    '-> OUT') or not at all (hall, thickness): a successful run ends with the same line,
    'written to OUT', after the move into place; with --json stdout is the JSON alone."""
    if name == "compare":
        summary = tmp_path / "measured.json"
        q = lambda v, e: {"value": v, "stderr": e, "unit": ""}  # noqa: E731
        summary.write_text(json.dumps({"analysis": "stfmr", "global": {
            "xi_fl": q(-0.01, 0.001), "xi_dl": q(0.02, 0.001)}}))
        argv = ["theory", "compare", "--summary", str(summary), "--model", "tmatrix",
                "--sweep", "energy=4meV:16meV:3", "--sweep", "angle=20deg:160deg:3",
                "--no-figures"]
    else:
        argv = [a for a in _commands(tmp_path)[name][0] if a != "--json"]
    takes_json = name in ("stfmr", "thickness", "kp")
    out = tmp_path / "out"
    assert main([*argv, "--out", str(out)]) == 0, capsys.readouterr().err
    lines = capsys.readouterr().out.rstrip("\n").splitlines()
    assert lines[-1] == f"written to {out}"
    assert sum("written to" in line or "wrote" in line for line in lines) == 1
    if takes_json:
        out2 = tmp_path / "out_json"
        assert main([*argv, "--json", "--out", str(out2)]) == 0
        json.loads(capsys.readouterr().out)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
@pytest.mark.parametrize("command", [["tables"], ["stfmr", "--no-figures"]])
def test_an_input_that_is_a_device_or_a_pipe_is_refused(tmp_path, capsys, command):
    """``sotfit tables /dev/zero`` read until the machine's memory ran out; a named pipe waits
    for ever for a writer. Neither is a file a measurement wrote: refused before reading."""
    pipe = tmp_path / "spectra.csv"
    os.mkfifo(pipe)
    inputs = [str(pipe)] + (["/dev/zero"] if os.path.exists("/dev/zero") else [])
    for p in inputs:
        extra = ["--out", str(tmp_path / "o")] if command[0] != "tables" else []
        assert main([command[0], p, *command[1:], *extra]) == 2
        err = capsys.readouterr().err
        assert f"{p} is not a file of data (a device, a pipe or a socket)" in err
    assert not (tmp_path / "o").exists()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
@pytest.mark.parametrize("kind", ["stfmr", "hall", "thickness"])
def test_the_readers_refuse_a_device_or_a_pipe(tmp_path, kind):
    """``sotfit.load('/dev/zero')`` read until memory ran out (only the command line refused
    it): every reader refuses an input that is not a regular file, naming it, before reading."""
    import sotfit as sf

    pipe = tmp_path / "scan.csv"
    os.mkfifo(pipe)
    for p in [str(pipe)] + (["/dev/zero"] if os.path.exists("/dev/zero") else []):
        with pytest.raises(Exception, match=re.escape(f"{p} is not a file of data")):
            sf.load(p, kind=kind)


def test_read_table_refuses_a_device():
    """``sotfit.io.read_table`` is a public reader: '/dev/zero' was read until memory ran out."""
    from sotfit.io import read_table

    if not os.path.exists("/dev/zero"):
        pytest.skip("no /dev/zero here")
    with pytest.raises(Exception, match="/dev/zero is not a file of data"):
        read_table("/dev/zero")


def _killed_run_staging(out: Path) -> Path:
    """The staging folder of a run of ``--out out`` killed with SIGKILL (it cannot remove it)."""
    import signal
    import subprocess
    import sys

    code = ("import os, signal, sys\nfrom sotfit.cli.common import OutputFolder\n"
            "staged = OutputFolder(sys.argv[1], command='stfmr').stage()\n"
            "(staged / 'summary.json').write_text('{}')\nprint(staged, flush=True)\n"
            "os.kill(os.getpid(), signal.SIGKILL)\n")
    proc = subprocess.run([sys.executable, "-c", code, str(out)], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    staged = Path(proc.stdout.strip())
    assert (staged / "summary.json").is_file() and staged.parent == out.parent
    return staged


def test_the_staging_folder_of_a_killed_run_is_removed_by_the_next(spectra, tmp_path, capsys):
    """kill -9 left the hidden .OUT.partial-* folder beside --out for good, results and all;
    the next run of the same --out removes it (its process has ended) and says so."""
    out = tmp_path / "out"
    staged = _killed_run_staging(out)
    before = tree_hashes(spectra)
    assert _stfmr(sorted(spectra.iterdir()), out) == 0
    err = capsys.readouterr().err
    assert not staged.exists() and f"sotfit stfmr: note: removed {staged}, the unfinished " in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "spectra"]
    assert tree_hashes(spectra) == before
    from sotfit.cli.output import OWNER
    assert not (out / OWNER).exists()
    assert OWNER not in json.loads((out / MANIFEST).read_text())["files"]


@pytest.mark.parametrize("change", ["another start"])
def test_a_staging_folder_whose_process_id_was_reused_or_rebooted_is_stale(spectra, tmp_path,
                                                                            change, capsys):
    """The process id of the killed run may belong to another process since (the record's
    start time of the process tells them apart)."""
    from sotfit.cli.output import OWNER

    out = tmp_path / "out"
    folder = OutputFolder(out)
    staged = folder.stage()
    record = json.loads((staged / OWNER).read_text())
    assert record["pid"] == os.getpid()         # alive: this very process
    if change == "another start":
        if record["process_start"] is None:
            pytest.skip("the system does not say when a process started")
        record["process_start"] -= 1
    else:
        if record["boot_id"] is None:
            pytest.skip("the system does not name its boot")
        record["boot_id"] = "an-earlier-boot"
    (staged / OWNER).write_text(json.dumps(record))
    assert _stfmr(sorted(spectra.iterdir()), out) == 0
    assert not staged.exists() and "note: removed" in capsys.readouterr().err


def test_staging_folders_that_may_be_in_use_or_not_sotfits_are_left(spectra, tmp_path, capsys):
    """Only a folder named and recorded as a staging folder of this --out, by a process of this
    machine that has ended, is removed: a run that goes on, another machine's run (a shared
    disk, under another name or the same name with another boot), a container's (its own
    process ids), a look-alike without the record, a record
    naming another folder, a link, and the staging folder of another --out stay as they are."""
    import socket

    from sotfit.cli.output import OWNER

    out = tmp_path / "out"
    running = OutputFolder(out).stage()                 # this process: still running
    (running / "summary.json").write_text("{}")
    killed = _killed_run_staging(out)
    record = json.loads((killed / OWNER).read_text())
    planted = {}
    for name, rec in [("otherhost", {**record, "host": socket.gethostname() + "-other"}),
                      ("otherpid", {**record, "pid_namespace": "pid:[1]"}),
                      # another boot id: this machine restarted, or another machine of the same
                      # name on a shared disk whose run may go on (it was removed as stale)
                      ("otherbt0", {**record, "boot_id": "another-boot"}),
                      ("norecord0", None), ("renamed0", record),
                      ("nosotfit", {**record, "written_by": "someone"})]:
        d = tmp_path / f".out.partial-{name[:8]}"
        d.mkdir()
        (d / "data.csv").write_text("1,2\n")
        if rec is not None:
            (d / OWNER).write_text(json.dumps({**rec, "staging": d.name}
                                              if name != "renamed0" else rec))
        planted[name] = d
    target = tmp_path / "elsewhere"
    target.mkdir()
    (target / "data.csv").write_text("1,2\n")
    (target / OWNER).write_text(json.dumps({**record, "staging": ".out.partial-linkedto"}))
    (tmp_path / ".out.partial-linkedto").symlink_to(target)
    other = tmp_path / ".other.partial-abcdefgh"
    shutil.copytree(killed, other)
    (other / OWNER).write_text(json.dumps({**record, "staging": other.name}))
    shutil.rmtree(killed)
    kept = {p.name: tree_hashes(p) for p in [running, target, other, *planted.values()]}
    assert _stfmr(sorted(spectra.iterdir()), out) == 0
    assert "note: removed" not in capsys.readouterr().err
    assert {p.name: tree_hashes(p) for p in [running, target, other, *planted.values()]} == kept
    assert (tmp_path / ".out.partial-linkedto").is_symlink()


def test_results_kept_after_a_failed_move_are_never_taken_for_a_killed_runs(spectra, tmp_path):
    """The staging folder a message says holds the results loses its owner record: once its
    process has ended, the next run does not remove it."""
    from sotfit.cli.output import OWNER

    out = tmp_path / "out"
    folder = OutputFolder(out)
    staged = folder.stage()
    assert (staged / OWNER).is_file()
    (staged / "summary.json").write_text("{}")
    assert _stfmr(sorted(spectra.iterdir()), out) == 0      # another run meanwhile
    with pytest.raises(CLIError, match="kept in"):
        folder.commit()
    folder.discard()
    assert (staged / "summary.json").is_file() and not (staged / OWNER).exists()


@pytest.mark.parametrize("earlier", [False, True])
def test_two_runs_overwriting_one_out_at_once_keep_both_results(tmp_path, earlier):
    """Two runs with --overwrite on one --out at once: the second to finish found the first's
    results where the earlier ones had been and replaced them, and both said 'written to'
    (the first run's results lost). The folder must hold at the commit what it held when the
    run began: the later run keeps its results aside and says so."""
    out = tmp_path / "out"
    if earlier:
        with OutputFolder(out) as stage:
            (stage / "summary.json").write_text('{"run": 0}')
    first, second = OutputFolder(out, overwrite=True), OutputFolder(out, overwrite=True)
    a, b = first.stage(), second.stage()
    (a / "summary.json").write_text('{"run": 1}')
    (b / "summary.json").write_text('{"run": 2}')
    first.commit()
    with pytest.raises(CLIError, match="changed during the run: another sotfit run wrote"):
        second.commit()
    second.discard()
    assert json.loads((out / "summary.json").read_text()) == {"run": 1}
    assert json.loads((b / "summary.json").read_text()) == {"run": 2}
