"""Every command-line option has a domain, checked before any work.

A value outside it (zero or negative lengths, currents and times, fractions outside (0, 1],
NaN and infinities, counts below their minimum, a bare number where the unit matters,
parameter names the model does not have) ends with exit status 2 and a message naming the
option, without a traceback and without writing the output folder.
"""

import json
from pathlib import Path

import pytest

from sotfit.analysis import hall, stfmr_torques
from sotfit.cli import main

DATA = Path(__file__).resolve().parents[1] / "data"
STFMR = [str(DATA / "stfmr_example")]
HALL_INPLANE = sorted(str(p) for p in (DATA / "hall_example" / "inplane").glob("phi_*.csv"))
HALL_PMA = sorted(str(p) for p in (DATA / "hall_example" / "pma").glob("*.csv"))
HALL_CONV = ["--current", "1.5mA", "--current-is", "rms", "--lockin-output", "rms",
             "--r2w-channel", "X", "--gain-2w", "10"]
THICKNESS = [str(DATA / "thickness_example" / "nife_bisb.csv")]
KP = ["theory", "kp", "--model", "2deg", "--alpha-r", "0.01", "--j-ex", "52meV",
      "--sweep", "mu=0:0.01:2"]
INTERFACE = ["theory", "interface", "--model", "barrier", "--map", "dt=0:1:2,J=0.1:1:2"]
TMATRIX = ["theory", "tmatrix"]


def _refused_by_parser(argv, option, out, capsys, also=()):
    """argparse refuses the value: exit status 2, the option named, nothing written."""
    with pytest.raises(SystemExit) as exc:
        main([*argv, "--out", str(out)])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert option in err and "Traceback" not in err
    for text in also:
        assert text in err
    assert not out.exists()


def _refused_by_run(argv, option, out, capsys, also=()):
    """The command refuses an option that depends on others: status 2, nothing written."""
    assert main([*argv, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert option in err and "Traceback" not in err
    for text in also:
        assert text in err
    assert not out.exists()


@pytest.mark.parametrize("option,value", [
    ("--t-fm", "0nm"), ("--t-fm", "1e300nm"), ("--t-fm", "1e400nm"), ("--t-fm", "-6nm"),
    ("--t-nm", "0nm"), ("--width", "0um"), ("--irf", "0mA"), ("--irf", "1MA"),
    ("--current-fraction", "2"), ("--current-fraction", "-0.5"), ("--current-fraction", "0"),
    ("--current-fraction", "nan"), ("--g", "-2"), ("--g", "0"), ("--g", "nan"), ("--g", "inf"),
    ("--ms", "0T"), ("--rho", "0uOhmcm"), ("--rho-fm", "-40uOhmcm"), ("--delta-r", "0Ohm"),
    ("--gyromagnetic-ratio", "-28GHz/T"), ("--frequency", "0GHz"), ("--frequency", "9"),
    ("--window-widths", "0"), ("--mcmc-steps", "1"), ("--seed", "-1"), ("--field-unit", "mV"),
    ("--voltage-unit", "Oe"), ("--field-angle", "a.csv=nan"), ("--angle", "inf"),
    ("--delta-r", "0.5mohm"), ("--power", "1000dBm"), ("--power", "-1000dBm"),
])
def test_stfmr_option_domains(tmp_path, capsys, option, value):
    _refused_by_parser(["stfmr", *STFMR, option, value], option, tmp_path / "out", capsys)


def test_stfmr_sample_file_values_have_the_option_domains(tmp_path, capsys):
    sample = tmp_path / "sample.json"
    sample.write_text(json.dumps({"t_fm": "0nm", "t_nm": "6nm"}))
    _refused_by_run(["stfmr", *STFMR, "--sample", str(sample)], "t_fm", tmp_path / "out", capsys,
                    also=["> 0"])
    sample.write_text(json.dumps({"current_fraction": 2}))
    _refused_by_run(["stfmr", *STFMR, "--sample", str(sample)], "current_fraction",
                    tmp_path / "out", capsys)


@pytest.mark.parametrize("option,value", [
    ("--current-fraction", "2"), ("--current-fraction", "-0.5"), ("--width", "0um"),
    ("--t-fm", "0nm"), ("--t-nm", "1e300nm"), ("--current", "0mA"), ("--current", "nanmA"),
    ("--ms", "-1T"), ("--resistivity", "0uOhmcm"), ("--r-ahe", "0Ohm"), ("--r-ahe", "0.8mohm"),
    ("--gain-2w", "0"), ("--gain-1w", "-1"), ("--max-sin", "0"), ("--max-sin", "1.5"),
    ("--max-lag", "0"), ("--theta-h-stderr", "-1"), ("--max-field", "0T"),
    ("--mcmc-steps", "-1"), ("--seed", "-1"), ("--voltage-unit", "T"), ("--angle-unit", "mV"),
    ("--calibration-units", "mT,A"),
])
def test_hall_option_domains(tmp_path, capsys, option, value):
    _refused_by_parser(["hall", *HALL_INPLANE, "--method", "avci", *HALL_CONV, option, value],
                       option, tmp_path / "out", capsys)


def test_hall_free_names_are_the_macrospin_parameters(tmp_path, capsys):
    _refused_by_run(["hall", *HALL_PMA, "--method", "macrospin", *HALL_CONV, "--r-phe", "0.15Ohm",
                     "--free", "tilt_x,bogus"], "--free", tmp_path / "out", capsys,
                    also=["bogus", "tilt_x", "ip_axis"])
    # --free only applies to the macrospin fit
    _refused_by_run(["hall", *HALL_INPLANE, "--method", "avci", *HALL_CONV, "--free", "tilt_x"],
                    "--free", tmp_path / "out", capsys)


@pytest.mark.parametrize("option,value", [
    ("--fix", "g_sf=nan"), ("--fix", "g_sf"), ("--walkers", "1"), ("--steps", "0"),
    ("--seed", "-1"), ("--rho", "0uOhmcm"), ("--rho", "350"),
])
def test_thickness_option_domains(tmp_path, capsys, option, value):
    _refused_by_parser(["thickness", *THICKNESS, option, value], option, tmp_path / "out", capsys)


def test_thickness_fix_and_prior_names_are_the_model_parameters(tmp_path, capsys):
    _refused_by_run(["thickness", *THICKNESS, "--fix", "bogus=1"], "--fix", tmp_path / "out",
                    capsys, also=["bogus", "spin_diffusion_length", "g_sf"])
    _refused_by_run(["thickness", *THICKNESS, "--mcmc", "--prior", "bogus=uniform(0,1)"],
                    "--prior", tmp_path / "out", capsys, also=["spin_hall_conductivity"])


@pytest.mark.parametrize("option,value,also", [
    ("--n-phi", "0", ()), ("--n-phi", "2", ()), ("--kmax", "-5", ()), ("--kmax", "0", ()),
    ("--tau", "0ps", ()), ("--tau", "3", ("no unit",)), ("--tau", "-1ps", ()),
    ("--temperature", "-1meV", ()), ("--temperature", "25.7", ("no unit",)),
    ("--j-ex", "52", ("no unit",)), ("--field", "0V/m", ()), ("--field", "2e5", ("no unit",)),
    ("--m-eff", "0", ()), ("--alpha-r", "nan", ()), ("--decompose", "4,4", ()),
    ("--sweep", "mu=0:1e400:3", ()), ("--eta", "0meV", ()),
    # magnitudes no k.p model holds at: unit slips that ran with exit 0
    ("--tau", "3s", ("at most 10ns",)), ("--j-ex", "50eV", ("at most 10eV",)),
    ("--temperature", "5eV", ("at most 1eV",)), ("--eta", "3eV", ("at most 1eV",)),
    ("--field", "200V/nm", ("at most 1V/nm",)), ("--alpha-r", "20eVnm", ("at most 2eVnm",)),
    ("--alpha-r", "3.8", ("at most 2eVnm",)),      # BiTeI's 3.8 eV A given bare
    ("--sweep", "mu=0:100:3", ("STOP", "at most 10eV")),
    ("--map", "j_ex=0eV:50eV:3", ("STOP", "at most 10eV")),
])
def test_kp_option_domains(tmp_path, capsys, option, value, also):
    _refused_by_parser([*KP, f"{option}={value}"], option, tmp_path / "out", capsys, also)


@pytest.mark.parametrize("extra,option", [
    (["--eta", "2meV"], "--eta"),                        # only --method kubo has a broadening
    (["--hbar-v", "0.5"], "--hbar-v"),                   # a dirac parameter, not a 2deg one
    (["--map", "twist=0deg:30deg:2"], "--map"),           # the 2deg model has no twist
    (["--twist", "30deg"], "--twist"),
    (["--method", "kubo", "--eta", "2meV", "--second-order"], "--second-order"),
])
def test_kp_options_the_model_would_ignore_are_refused(tmp_path, capsys, extra, option):
    _refused_by_run([*KP, *extra], option, tmp_path / "out", capsys)


@pytest.mark.parametrize("option,value", [
    ("--order", "3"), ("--n-phi", "0"), ("--n-theta", "4"), ("--lattice-constant", "0nm"),
    ("--lattice-constant", "0.3"), ("--fermi-energy", "-4"), ("--t0", "0eV"), ("--t0", "nan"),
    ("--k-fermi", "0"), ("--u-R", "inf"),
    # unit slips that ran with exit 0: k_F in 1/m given bare (G 1e18 times too large), a
    # lattice constant of 30 cm; an angle beyond one turn, as theory tmatrix refuses it
    ("--k-fermi", "1e10"), ("--k-fermi", "10/furlong"), ("--lattice-constant", "0.3m"),
    ("--theta-m", "400"),
])
def test_interface_option_domains(tmp_path, capsys, option, value):
    _refused_by_parser([*INTERFACE, f"{option}={value}"], option, tmp_path / "out", capsys)


def test_interface_fermi_wave_number_with_its_unit(tmp_path):
    """--k-fermi took a bare number only ('10/nm' was 'not a number'): with a unit, 1/nm, 1/m
    or 1/A, the same k_F gives the same G."""
    delta = ["theory", "interface", "--model", "delta", "--map", "u0=0.5,u_ex=1", "--no-figures"]
    got = []
    for i, k in enumerate(("21", "21/nm", "2.1e10/m", "2.1/A", "2.1\u00c5^-1")):
        out = tmp_path / f"k{i}"
        assert main([*delta, "--k-fermi", k, "--out", str(out)]) == 0
        got.append(json.loads((out / "summary.json").read_text())["k_fermi"]["value"])
    # a number ending in 1 before its unit kept its digit ('21/nm' was read as 2 per nm)
    assert got == pytest.approx([21.0] * 5, rel=1e-12)


@pytest.mark.parametrize("argv,option", [
    ([*INTERFACE, "--u-R", "0.4"], "--u-R"),                 # a delta-barrier option
    (["theory", "interface", "--model", "delta", "--map", "u0=0:1:3,u_ex=0.5:2:2",
      "--lattice-constant", "0.4nm"], "--lattice-constant"),  # a barrier-model option
])
def test_interface_options_of_the_other_model_are_refused(tmp_path, capsys, argv, option):
    _refused_by_run(argv, option, tmp_path / "out", capsys)


def test_interface_map_refuses_non_finite_ends(tmp_path, capsys):
    _refused_by_run(["theory", "interface", "--model", "barrier", "--map", "dt=nan:1:2,J=0.1:1:2"],
                    "--map", tmp_path / "out", capsys)


@pytest.mark.parametrize("option,value", [
    ("--n-phi", "4"), ("--radius", "0nm"), ("--radius", "0.2"), ("--mass", "0"),
    ("--velocity", "-1"), ("--fermi-energy", "5"), ("--exchange", "5"), ("--u", "1.8"),
    ("--alpha", "infeVnm"), ("--density", "0/m2"), ("--sweep", "energy=1meV:1e400meV:3"),
    # densities whose digits are lost (tau 0.2-13 % off, exit 0) or where nothing is dilute
    # ('Singular matrix', naming nothing)
    ("--density", "1e7/m2"), ("--density", "1e30/m2"),
])
def test_tmatrix_option_domains(tmp_path, capsys, option, value):
    _refused_by_parser([*TMATRIX, f"{option}={value}"], option, tmp_path / "out", capsys)


@pytest.mark.parametrize("option,sweep", [("--fermi-energy=-5meV", "energy=1meV:10meV:3"),
                                          ("--theta=30deg", "angle=0deg:60deg:3")])
def test_tmatrix_one_value_and_a_sweep_of_it_are_refused(tmp_path, capsys, option, sweep):
    """--fermi-energy beside --sweep energy=... was dropped without a word (the run covered
    the sweep, the summary did not record the option)."""
    _refused_by_run([*TMATRIX, option, "--sweep", sweep], option.split("=")[0],
                    tmp_path / "out", capsys, also=["give one of them"])


# --- the library's sample containers refuse impossible values too --------------------------

@pytest.mark.parametrize("field,value", [
    ("t_fm", 0.0), ("t_nm", -1.0), ("width", float("nan")), ("t_fm", 1e300), ("mu0_ms", 0.0),
    ("rho_nm", 0.0), ("i_rf", 0.0), ("delta_r", 0.0), ("current_fraction", 2.0),
    ("current_fraction", -0.5), ("angle", float("inf")),
])
def test_stfmr_sample_refuses_impossible_values(field, value):
    with pytest.raises(ValueError, match=f"Sample.{field} must be"):
        stfmr_torques.Sample(**{field: value})


@pytest.mark.parametrize("field,value", [
    ("t_fm", 0.0), ("width", 0.0), ("t_nm", float("inf")), ("current_peak", 0.0),
    ("mu0_ms", -1.0), ("resistivity", 0.0), ("current_fraction", 2.0), ("stack", "sideways"),
])
def test_hall_sample_refuses_impossible_values(field, value):
    with pytest.raises(ValueError, match=f"Sample.{field} must be"):
        hall.Sample(**{field: value})


def test_library_fits_refuse_unknown_parameter_names():
    from sotfit.analysis.thickness import build_problem
    from sotfit.io.thickness import read_thickness_table

    with pytest.raises(ValueError, match="free: unknown parameter.*'bogus'.*tilt_x"):
        hall.macrospin([object()], free=("bogus",))
    series = read_thickness_table(THICKNESS[0])
    with pytest.raises(ValueError, match="fixed parameter 'bogus': not a parameter.*valid names.*g_sf"):
        build_problem(series, fixed={"bogus": 1.0})


@pytest.mark.parametrize("text, ok", [("0.5236", False), ("-1.5708", False), ("3.1416", False),
                                      ("30", True), ("1", True), ("7.5", True), ("0", True),
                                      ("0.5236rad", True), ("2.5deg", True)])
def test_a_bare_angle_that_looks_like_radians_is_refused(text, ok):
    """A bare number is degrees: 0.5236 written for pi/6 rad was read as 0.52 deg. A bare
    number with a fractional part up to 2 pi is refused asking for the unit."""
    import argparse

    from sotfit.cli.common import quantity_type

    parse = quantity_type("angle", "deg")
    if ok:
        parse(text)
    else:
        with pytest.raises(argparse.ArgumentTypeError, match="looks like an angle in radians"):
            parse(text)


def test_theory_angle_in_radians_without_unit_is_refused(tmp_path, capsys):
    from sotfit.cli import main

    with pytest.raises(SystemExit) as stop:
        main(["theory", "tmatrix", "--theta", "0.5236", "--out", str(tmp_path / "o")])
    assert stop.value.code == 2
    assert "write 30deg or 0.5236rad" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_a_bare_number_is_answered_with_the_units_it_may_mean(tmp_path, capsys):
    """'--width 10' suggested '10nm' (a strip is micrometres wide: 10nm then ran, exit 0, with
    mu0_h_fl 0.04 T); '--max-field 60' suggested '60T'. The message offers both likely units.
    --max-lag and --theta-h-stderr take angles with units ('0.6deg' was 'not a number')."""
    from sotfit.cli import main

    with pytest.raises(SystemExit):
        main(["stfmr", "x.csv", "--width", "10", "--out", str(tmp_path / "a")])
    assert "e.g. '10nm' or '10um'" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["hall", "x.csv", "--max-field", "60", "--out", str(tmp_path / "b")])
    assert "e.g. '60T' or '60mT'" in capsys.readouterr().err
    import math

    from sotfit.cli.hall import _lag_rad
    assert _lag_rad("0.6deg") == pytest.approx(math.radians(0.6))
    assert _lag_rad("0.01") == pytest.approx(0.01)                  # the option's unit, rad


@pytest.mark.parametrize("argv,also", [
    (["theory", "kp", "--model", "2deg", "--sweep", "mu=0:0.1:3", "--sweep", "mu=0:0.2:3"],
     ["--sweep mu=START:STOP:N may be given once"]),
    ([*KP, "--map", "j_ex=40meV:60meV:2", "--map", "j_ex=10meV:20meV:2"],
     ["--map NAME=START:STOP:N may be given once"]),
    ([*INTERFACE, "--map", "dt=0:1:2,J=0.2:1:2"], ["--map may be given once"]),
    (["theory", "interface", "--model", "barrier", "--map", "dt=0:1:2,J=0.1:1:2,dt=0:0.5:2"],
     ["--map gives dt twice"]),
    (["theory", "compare", "--model", "tmatrix", "--sweep", "energy=1meV:5meV:2",
      "--param", "exchange=5meV", "--param", "exchange=7meV"],
     ["--param gives exchange twice", "5meV", "7meV"]),
    (["theory", "compare", "--model", "tmatrix", "--sweep", "energy=1meV:5meV:2",
      "--param", "theta=10deg", "--param", "angle=20deg"], ["--param gives theta twice"]),
    (["theory", "tmatrix", "--sweep", "energy=1meV:5meV:2", "--sweep", "energy=2meV:5meV:2"],
     ["may be given once"]),
])
def test_theory_options_of_one_value_given_twice_are_refused(tmp_path, capsys, argv, also):
    """A second --sweep mu=... (theory kp), --map (kp, interface), axis of one --map or
    --param of the same name (compare) kept the last without a word."""
    if argv[1] == "compare":
        summary = tmp_path / "s.json"
        q = {"value": 0.015, "stderr": 0.001, "unit": ""}
        summary.write_text(json.dumps({"analysis": "stfmr", "global": {
            "xi_fl": q, "xi_dl": {**q, "value": 0.07}}}))
        argv = [*argv, "--summary", str(summary)]
    _refused_by_run(argv, also[0].split()[0], tmp_path / "out", capsys, also)


@pytest.mark.parametrize("option,value,example", [
    ("--tau", "nan", "'3ps'"), ("--j-ex", "x", "'3eV'"), ("--field", "nan", "'3V/m'")])
def test_an_unreadable_quantity_is_shown_examples_of_its_dimension(tmp_path, capsys, option,
                                                                    value, example):
    """'--tau nan' was shown '6nm' and '2.5mA' as examples of what to write."""
    with pytest.raises(SystemExit) as exc:
        main([*KP, f"{option}={value}", "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert exc.value.code == 2 and option in err and example in err and "'6nm'" not in err
