"""``--fix`` and the arguments of ``--prior`` of ``sotfit thickness`` take a value with a unit of
the parameter's dimension (converted to its house unit by :mod:`sotfit.units`) or a bare
number in the house unit; a unit of another kind is refused with the house unit named."""
import json
from pathlib import Path

import pytest

from sotfit import priors
from sotfit.analysis import thickness
from sotfit.cli import main
from sotfit.io.thickness import read_thickness_tables

DATA = Path(__file__).resolve().parents[1] / "data" / "thickness_example"
NIFE = str(DATA / "nife_bisb.csv")


@pytest.fixture(scope="module")
def problem():
    return thickness.build_problem(read_thickness_tables(NIFE), joint=True)


@pytest.mark.parametrize("name,text,expected", [
    ("spin_diffusion_length", "25", 25.0),
    ("spin_diffusion_length", "0.025um", 25.0),
    ("spin_diffusion_length", "250 Ang", 25.0),
    ("re_g_mix", "2e14 S/m2", 20.0),
    ("re_g_mix", "2e14 Ohm^-1 m^-2", 20.0),
    ("im_g_mix", "1e12/Ohm/m2", 0.1),
    ("g_sf", "1e13 1/Ohm/m2", 1.0),
    ("spin_hall_conductivity", "3e5 S/m", 3.0),
    ("spin_hall_conductivity", "3e5 (hbar/2e) S/m", 3.0),
    ("resistivity", "3.5e-6 Ohm m", 350.0),
])
def test_house_value_converts_a_unit_of_the_parameter(problem, name, text, expected):
    assert thickness.house_value(problem, name, text) == pytest.approx(expected, rel=1e-12)


def test_house_value_refuses_a_unit_of_another_kind_naming_the_house_unit(problem):
    assert thickness.house_unit(problem, "spin_diffusion_length") == "nm"
    with pytest.raises(ValueError, match="house unit nm"):
        thickness.house_value(problem, "spin_diffusion_length", "25mT")
    with pytest.raises(ValueError, match=r"house unit 1e13 Ohm\^-1 m\^-2"):
        thickness.house_value(problem, "re_g_mix", "2nm")


def _summary(tmp_path, name, *extra):
    out = tmp_path / name
    assert main(["thickness", NIFE, "--joint", "--no-figures", "--out", str(out), *extra]) == 0
    return json.loads((out / "summary.json").read_text())


def test_fix_with_a_unit_equals_the_bare_house_number(tmp_path, capsys):
    bare = _summary(tmp_path, "bare", "--fix", "spin_diffusion_length=25")
    unit = _summary(tmp_path, "unit", "--fix", "spin_diffusion_length=0.025um")
    capsys.readouterr()
    assert unit["spin_diffusion_length"]["value"] == pytest.approx(25.0, rel=1e-12)
    for k in ("spin_hall_conductivity", "re_g_mix", "im_g_mix"):
        assert unit[k]["value"] == pytest.approx(bare[k]["value"], rel=1e-9)


@pytest.mark.parametrize("option,value", [
    ("--fix", "spin_diffusion_length=25mT"),
    ("--prior", "spin_diffusion_length=uniform(1mT,50nm)"),
])
def test_a_unit_of_another_kind_is_refused_naming_the_house_unit(tmp_path, capsys, option,
                                                                  value):
    out = tmp_path / "out"
    assert main(["thickness", NIFE, "--joint", "--mcmc", "--steps", "20", "--no-figures",
                 option, value, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert option in err and "house unit nm" in err and "Traceback" not in err
    assert not out.exists()


def test_prior_bounds_take_the_unit_of_the_parameter(tmp_path, capsys):
    a = _summary(tmp_path, "a", "--mcmc", "--steps", "20", "--prior",
                 "spin_diffusion_length=uniform(1nm,50nm)", "--prior",
                 "re_g_mix=uniform(0, 1e15 S/m2)")
    capsys.readouterr()
    assert a["mcmc"]["priors"]["spin_diffusion_length"] == "uniform(1, 50)"
    assert a["mcmc"]["priors"]["re_g_mix_0"] == "uniform(0, 100)"


def test_prior_parse_keeps_the_sigma_of_a_lognormal_a_pure_number():
    def nm(text):
        return float(text.removesuffix("nm"))

    assert priors.parse("lognormal(20nm, 0.5)", to_number=nm).median() == pytest.approx(20.0)
    with pytest.raises(priors.PriorError, match="pure number"):
        priors.parse("lognormal(20nm, 0.5nm)", to_number=nm)
    with pytest.raises(priors.PriorError, match="must be numbers"):
        priors.parse("uniform(1nm, 50nm)")
