"""Command-line parsing: options only as spelled in full, the same output options everywhere."""

import argparse

import pytest

from sotfit.cli import build_parser, main


def _subparsers(parser, prefix=()):
    """(command path, parser) for every subcommand parser, nested ones included."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield (*prefix, name), sub
                yield from _subparsers(sub, (*prefix, name))


def _leaves():
    return [(path, p) for path, p in _subparsers(build_parser())
            if not any(isinstance(a, argparse._SubParsersAction) for a in p._actions)]


#: Subcommands that write nothing (they print what they read): no output folder to name.
READ_ONLY_COMMANDS = {"tables"}


def test_every_subcommand_has_the_output_options():
    """Every subcommand that writes results takes the same output options; one that writes
    nothing (``sotfit tables``) takes none of them."""
    leaves = _leaves()
    assert {" ".join(p) for p, _ in leaves} >= {"stfmr", "hall", "thickness", "theory kp",
                                                "theory interface", "theory tmatrix", "tables"}
    for path, p in leaves:
        opts = {o for a in p._actions for o in a.option_strings}
        output = {"--out", "--overwrite", "--strict", "--no-figures", "--no-plots"}
        if " ".join(path) in READ_ONLY_COMMANDS:
            assert not output & opts, path
        else:
            assert output <= opts, path


def test_prefixes_of_options_are_refused():
    """argparse's prefix matching is off: a prefix is never read as a longer option."""
    for path, p in _leaves():
        assert p.allow_abbrev is False, path
        positionals = []
        for action in p._actions:
            action.required = False
            if not action.option_strings and action.nargs in ("+", "*"):
                positionals = ["f.csv"]
        for action in p._actions:
            for opt in action.option_strings:
                if not opt.startswith("--") or len(opt) < 5:
                    continue
                prefix = opt[:-1]
                if prefix in p._option_string_actions:
                    continue  # the prefix is an option of its own
                _, extras = p.parse_known_args([*positionals, prefix])
                assert extras == [prefix], (path, prefix, extras)


def test_theta_h_is_not_taken_for_theta_h_stderr():
    """--theta-h is its own option, not an abbreviation of --theta-h-stderr (and the reverse)."""
    hall = dict((" ".join(path), p) for path, p in _leaves())["hall"]
    args = hall.parse_args(["f.csv", "--method", "hayashi", "--theta-h", "92deg", "--out", "x"])
    assert args.theta_h == pytest.approx(92.0) and args.theta_h_stderr != args.theta_h
    args = hall.parse_args(["f.csv", "--method", "hayashi", "--theta-h-stderr", "1",
                            "--out", "x"])
    assert args.theta_h is None and args.theta_h_stderr == pytest.approx(1.0)


def test_one_spelling_of_the_shared_options_everywhere():
    """--rho and --resistivity name the spin-source resistivity in every experiment command."""
    leaves = dict((" ".join(path), p) for path, p in _leaves())
    for name in ("stfmr", "hall", "thickness"):
        opts = leaves[name]._option_string_actions
        assert opts["--rho"] is opts["--resistivity"], name


@pytest.mark.parametrize("argv", [
    ["theory", "kp", "--model", "2deg", "--j-ex", "0.1eV", "--j-ex=0.2eV",
     "--sweep", "mu=0.02:0.1:3"],
    ["stfmr", "data/stfmr_example", "--ms", "1T", "--ms", "1.1T"],
])
def test_an_option_of_one_value_given_two_values_is_refused(argv, capsys, tmp_path):
    """argparse keeps the last value of an option given twice: '--j-ex 0.1eV --j-ex 0.2eV'
    ran at 0.2 eV without a word. Refused, naming the option, before any work; the same value
    twice says nothing else and passes."""
    from sotfit.cli import _given_twice, _subcommand_parser, build_parser

    with pytest.raises(SystemExit) as exc:
        main([*argv, "--out", str(tmp_path / "o")])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "given more than once with different values" in err
    assert argv[-2 if argv[0] == "stfmr" else 4] in err
    assert not (tmp_path / "o").exists()
    parser = build_parser()
    same = ["stfmr", "x", "--ms", "1T", "--ms", "1T", "--out", "o"]
    args, _ = parser.parse_known_args(same)
    assert _given_twice(_subcommand_parser(parser, args), same) == []
    # one value in two spellings is one value ('--ms 0.95T --ms 950mT' was refused as two)
    spelled = ["stfmr", "x", "--ms", "0.95T", "--ms", "950mT", "--out", "o"]
    args, _ = parser.parse_known_args(spelled)
    assert _given_twice(_subcommand_parser(parser, args), spelled) == []
    apart = ["stfmr", "x", "--ms", "0.95T", "--ms", "950.001mT", "--out", "o"]
    args, _ = parser.parse_known_args(apart)
    assert _given_twice(_subcommand_parser(parser, args), apart) == ["--ms"]
