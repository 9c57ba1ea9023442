"""What the command line says when a user slips: a folder where a file belongs, a negative value
after a blank, a misspelt option, no subcommand, and the defaults --help states."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sotfit.cli import build_parser, main

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "data" / "stfmr_example"
HALL = ROOT / "data" / "hall_example" / "inplane"


@pytest.mark.parametrize("argv, said", [
    (["stfmr", str(EXAMPLE), "--sample", str(ROOT / "data")],
     "is a folder: give the sample file in it"),
    (["stfmr", str(EXAMPLE), "--format", str(ROOT / "data")],
     "a folder, not a profile: give the .toml file by name"),
    (["hall", str(HALL / "phi_100mT.csv"), "--method", "avci", "--calibration", str(ROOT / "data")],
     "a folder, not a calibration file"),
])
def test_a_folder_where_a_file_belongs_is_said(tmp_path, capsys, argv, said):
    """These were 'not found' (or 'no such file') for a folder that exists."""
    assert main([*argv, "--out", str(tmp_path / "o")]) == 2
    assert said in capsys.readouterr().err


def test_a_run_folder_given_to_theory_compare_names_its_summary(tmp_path, capsys):
    """It was a raw '[Errno 21] Is a directory'."""
    run = tmp_path / "run"
    run.mkdir()
    (run / "summary.json").write_text(json.dumps({"xi_fl": {"value": 1.0}}))
    assert main(["theory", "compare", "--summary", str(run), "--model", "tmatrix",
                 "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert f"{run}: a folder, not a summary.json (it holds {run / 'summary.json'}: give that)" in err


def test_a_folder_of_runs_given_to_thickness_suggests_their_summaries(tmp_path, capsys):
    """The suggestion was FOLDER/*.csv, which matched nothing: the summaries of a run per
    thickness are FOLDER/*/summary.json."""
    for t in ("t2", "t4"):
        (tmp_path / "stfmr" / t).mkdir(parents=True)
        (tmp_path / "stfmr" / t / "summary.json").write_text("{}")
    assert main(["thickness", str(tmp_path / "stfmr"), "--out", str(tmp_path / "o")]) == 2
    assert f"e.g. {tmp_path / 'stfmr' / '*' / 'summary.json'}" in capsys.readouterr().err


def test_a_negative_value_after_a_blank_asks_only_for_its_unit(tmp_path, capsys):
    """'--fermi-energy -4' asked for '-4eV' and added that a negative value goes after '=',
    which it need not: '--fermi-energy -4eV' is read as '--fermi-energy=-4eV'."""
    with pytest.raises(SystemExit) as stop:
        main(["theory", "interface", "--model", "barrier", "--fermi-energy", "-4",
              "--out", str(tmp_path / "o")])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert "'-4' has no unit; give one, e.g. '-4eV'" in err and "after '='" not in err
    assert main(["theory", "interface", "--model", "barrier", "--fermi-energy", "-4eV",
                 "--map", "dt=0:1:2,J=0.1:1:2", "--no-figures", "--out", str(tmp_path / "o")]) == 0


def test_a_misspelt_option_is_named_with_the_nearest(tmp_path, capsys):
    with pytest.raises(SystemExit) as stop:
        main(["stfmr", str(EXAMPLE), "--out", str(tmp_path / "o"), "--no-figure"])
    assert stop.value.code == 2
    assert "--no-figure: did you mean --no-figures?" in capsys.readouterr().err


def test_no_subcommand_is_a_usage_error(capsys):
    """It exited with 1; the README says 2 for usage errors."""
    assert main([]) == 2
    assert "COMMAND" in capsys.readouterr().err


def _help(*command) -> str:
    parser = build_parser()
    for name in command:
        sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
        parser = sub.choices[name]
    return " ".join(parser.format_help().split())


@pytest.mark.parametrize("command, shown", [
    (("thickness",), ["--walkers WALKERS emcee walkers (>= 2; --mcmc; default 32)",
                      "(--mcmc; the same seed, the same chain; default 0)"]),
    (("theory", "interface"), ["Fermi wave number, e.g. 10/nm, 1e10/m or 1.7/A (a bare number "
                               "in 1/nm; default 3/nm, the BiSb Sharvin range of seed 003; at "
                               "most 100/nm: metals have 10-20/nm)"]),
    (("theory", "kp"), ["Kubo-Bastin (both parts, Lorentzian broadening) linear response "
                        "(default: boltzmann)"]),
])
def test_help_states_the_defaults(command, shown):
    """The defaults of many options were nowhere but in the code (the delta model's k_F = 10/nm
    of `theory interface` against 3/nm in `thickness`, say)."""
    text = _help(*command)
    for s in shown:
        assert s in text, s


def _reader_note_runs(tmp_path):
    """A run of each file-reading subcommand whose reader makes a note."""
    st = tmp_path / "st"
    for f in (8, 10, 12):
        lines = (EXAMPLE / f"py_pt_{f}GHz.csv").read_text().splitlines()
        (st / f"{f}GHz").mkdir(parents=True)
        (st / f"{f}GHz" / "spectrum.csv").write_text(
            "\n".join(ln for ln in lines if not ln.startswith("#")) + "\n")
    hall = []
    for p in sorted(HALL.glob("phi_*.csv")):
        q = tmp_path / p.name
        q.write_text("# I_ac = 1.5 mA rms\n" + p.read_text())
        hall.append(str(q))
    lines = (ROOT / "data" / "thickness_example" / "nife_bisb.csv").read_text().splitlines()
    lab = tmp_path / "lab.csv"       # a field-like cell missing: that point left out, noted
    lab.write_text("\n".join(ln if not ln.startswith("8,") else ln.replace(",-0.08007,0.00524", ",,")
                             for ln in lines) + "\n")
    return {
        "stfmr": ["stfmr", *(str(st / f"{f}GHz" / "spectrum.csv") for f in (8, 10, 12)),
                  "--no-figures", "--no-global"],
        "hall": ["hall", *hall, "--method", "avci", "--lockin-output", "rms", "--r2w-channel",
                 "X", "--gain-2w", "10", "--meff", "0.8T", "--r-ahe", "0.8Ohm", "--no-figures"],
        "thickness": ["thickness", str(lab), "--joint", "--no-figures"],
    }


@pytest.mark.parametrize("command", ["stfmr", "hall", "thickness"])
def test_reader_notes_are_note_lines_on_stderr(tmp_path, capsys, command):
    """What the reader decided was 'reader: FILE: ...' on stderr (stfmr), 'note: reader: ...'
    on stderr (hall) and '  note: reader: ...' in the summary on stdout (thickness): every
    command prints it as 'note: reader: FILE: ...' lines on stderr, and keeps it in the notes
    of summary.json."""
    argv = _reader_note_runs(tmp_path)[command]
    out = tmp_path / "out"
    assert main([*argv, "--out", str(out)]) in (0, 3)
    captured = capsys.readouterr()
    said = [ln for ln in captured.err.splitlines() if "reader: " in ln]
    assert said and all(ln.startswith("note: reader: ") for ln in said), captured.err
    assert "reader: " not in captured.out
    notes = json.loads((out / "summary.json").read_text())["notes"]
    assert {ln.removeprefix("note: ") for ln in said} <= set(notes)


@pytest.mark.parametrize("command", [("stfmr",), ("hall",)])
def test_unit_options_list_every_unit_the_parser_takes(command):
    """--field-unit's help said 'T, mT, Oe, G, A/m' while uT, kOe, kG and kA/m are read as well:
    the help lists the units of sotfit's table, as the error for an unknown one does."""
    from sotfit.units import accepted_units

    text = _help(*command)
    help_of = text[text.rindex("--field-unit FIELD_UNIT"):][:300]
    listed = accepted_units("field").split(": ", 1)[1].split(";")[0]
    for unit in ("T", "mT", "uT", "kOe", "Oe", "G", "kG", "A/m", "kA/m"):
        assert unit in listed.split(", ")
    assert listed in help_of, help_of
    if command == ("stfmr",):
        help_of = text[text.rindex("--voltage-unit VOLTAGE_UNIT"):][:200]
        assert accepted_units("voltage").split(": ", 1)[1].split(";")[0] in help_of


def test_a_theory_error_names_the_theory_command(tmp_path, capsys):
    """An error of 'theory kp' (interface, tmatrix) began 'sotfit theory:'."""
    assert main(["theory", "kp", "--model", "2deg", "--sweep", "mu=0:0.01:2", "--map",
                 "theta_m=0:90:2", "--workers", "2", "--scheduler", "tcp://localhost:1",
                 "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("sotfit theory kp: error: give either --workers"), err


@pytest.mark.parametrize("argv, command, said", [
    (["stfmr", str(EXAMPLE), "--widht", "10um"], "stfmr",
     "unrecognized arguments: --widht 10um (--widht: did you mean --width?)"),
    (["theory", "tmatrix", "--fermi-energi", "2meV"], "theory tmatrix",
     "unrecognized arguments: --fermi-energi 2meV (--fermi-energi: did you mean --fermi-energy?)"),
])
def test_a_misspelt_option_names_the_subcommand(tmp_path, capsys, argv, command, said):
    """A misspelt option of a subcommand gave 'sotfit: error:' under the top-level usage
    ('usage: sotfit [-h] [--version] COMMAND ...'): the subcommand's usage and name."""
    with pytest.raises(SystemExit) as stop:
        main([*argv, "--out", str(tmp_path / "o")])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert f"sotfit {command}: error: {said}" in err, err
    assert err.startswith(f"usage: sotfit {command} ")


def test_a_bad_format_profile_names_the_subcommand(tmp_path, capsys):
    """An unknown [options] entry of a --format profile said 'sotfit: error:'."""
    profile = tmp_path / "p.toml"
    profile.write_text("[options]\nirff = \"1mA\"\n")
    assert main(["stfmr", str(EXAMPLE), "--format", str(profile), "--out",
                 str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"sotfit stfmr: error: --format {profile}: [options] 'irff'"), err


def test_a_unit_conflict_in_a_folder_gets_no_advice_to_leave_the_file_out(tmp_path, capsys):
    """'--field-unit Gauss' against a column 'Field (mT)' of a folder's file added 'if it is not
    a data file, leave it out ...': a column that says its unit is a data file's."""
    assert main(["stfmr", str(EXAMPLE), "--field-unit", "Gauss", "--out",
                 str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "column 'Field (mT)' says 'mT' but --field-unit G" in err
    assert "is not a data file" not in err


@pytest.mark.parametrize("command", ["stfmr", "hall", "thickness", "tables"])
def test_the_input_files_are_named_files_in_every_usage(command):
    """The positional argument was FILES (stfmr), files (hall) and FILE (thickness)."""
    text = _help(command)
    assert f"usage: sotfit {command} " in text and "FILES [FILES ...]" in text


@pytest.mark.parametrize("argv, command", [(["stfmr", "--widht", "1"], "stfmr"),
                                           (["theory", "kp", "--bogus"], "theory kp"),
                                           (["nosuch"], "")])
def test_a_usage_error_is_three_lines_not_the_block_of_every_option(capsys, argv, command):
    """Argparse printed the usage of every option (two dozen lines for `sotfit stfmr`) above
    the error; the docs promise a short error: the usage line, the error, where the options
    are."""
    with pytest.raises(SystemExit) as stop:
        main(argv)
    assert stop.value.code == 2
    lines = capsys.readouterr().err.strip().splitlines()
    prog = f"sotfit {command}".strip()
    assert len(lines) == 3, lines
    assert lines[0].startswith(f"usage: {prog} [options]")
    assert lines[1].startswith(f"{prog}: error: ")
    assert lines[2] == f"(the options: {prog} --help)"


def test_theory_without_a_model_is_a_usage_error(capsys):
    assert main(["theory"]) == 2
    assert "kp" in capsys.readouterr().err


def test_an_option_of_the_subcommand_before_its_name_is_said_so(capsys):
    """'sotfit --no-figures stfmr ...' said 'unrecognized arguments: --no-figures
    (--no-figures: did you mean --no-figures?)'."""
    with pytest.raises(SystemExit) as stop:
        main(["--no-figures", "stfmr", str(EXAMPLE), "--out", "o"])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert "--no-figures: option(s) of 'sotfit stfmr' given before 'stfmr': put them after it" \
        in err
    assert "did you mean" not in err


@pytest.mark.parametrize("argv, said", [
    (["stfmr", "x.csv", "--mcmc-steps", "100"], "--mcmc-steps is for --mcmc"),
    (["stfmr", "x.csv", "--seed", "3"], "--seed is for --mcmc"),
    (["thickness", "x.csv", "--steps", "100", "--seed", "3"], "--steps, --seed are for --mcmc"),
    (["thickness", "x.csv", "--walkers", "64"], "--walkers is for --mcmc"),
])
def test_options_of_the_chain_without_mcmc_are_refused(tmp_path, capsys, argv, said):
    """--steps, --walkers, --seed (thickness) and --mcmc-steps, --seed (stfmr) without --mcmc
    ran to exit 0 as if the chain had been asked for; sotfit hall already refused its own."""
    assert main([*argv, "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert said in err and "would be ignored" in err
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("argv, said", [
    (["theory", "kp", "--model", "2deg", "--sweep", "mu=0:1:1"], "N = 1 computes START alone"),
    (["theory", "kp", "--model", "2deg", "--sweep", "mu=0.1:0.1:50"], "the 50 points are one"),
    (["theory", "kp", "--model", "2deg", "--sweep", "mu=0:1:5", "--map", "j_ex=10meV:20meV:1"],
     "N = 1 computes START alone"),
    (["theory", "tmatrix", "--sweep", "energy=1meV:2meV:1"], "N = 1 computes START alone"),
    (["theory", "tmatrix", "--sweep", "angle=10deg:10deg:5"], "the 5 points are one"),
])
def test_a_grid_whose_points_are_not_what_it_writes_is_refused(tmp_path, capsys, argv, said):
    """mu=0:1:1 computed mu = 0 alone, STOP dropped without a word; mu=0:0:50 computed one
    point fifty times."""
    with pytest.raises(SystemExit):
        main([*argv, "--no-figures", "--out", str(tmp_path / "o")])
    assert said in capsys.readouterr().err
    assert not (tmp_path / "o").exists()
