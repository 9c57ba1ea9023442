"""What the summary of ``sotfit thickness`` says of its entries: a tied copy of a parameter
names the parameter it follows (it read as a fixed parameter, with a null error), a fixed one
says so, and a flag of the first interface (whose ``re_g_mix`` is also the top-level one) is
printed once."""
import json
from pathlib import Path

import pytest

from sotfit.cli import main
from sotfit.flags import add_flag, collect_flags

DATA = Path(__file__).resolve().parents[1] / "data" / "thickness_example"
COTB = str(DATA / "cotb_bisb.csv")
NIFE = str(DATA / "nife_bisb.csv")


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """CoTb/BiSb first (its Re G is flagged: the data bound it from one side), NiFe/BiSb
    second, joint least squares; the summary and the terminal text."""
    import contextlib
    import io

    out = tmp_path_factory.mktemp("thickness") / "out"
    text = io.StringIO()
    with contextlib.redirect_stdout(text):
        assert main(["thickness", COTB, NIFE, "--joint", "--no-figures",
                     "--out", str(out)]) == 0
    return json.loads((out / "summary.json").read_text()), text.getvalue()


def test_tied_copies_name_the_parameter_they_follow(run):
    summary, _ = run
    params = summary["least_squares"]["parameters"]
    # NiFe is the second series: its DL data are dataset 1, its FL data dataset 2
    assert params["re_g_mix_2"]["tied_to"] == "re_g_mix_1"
    assert params["im_g_mix_2"]["tied_to"] == "im_g_mix_1"
    assert params["re_g_mix_2"]["value"] == params["re_g_mix_1"]["value"]
    assert "fixed" not in params["re_g_mix_2"]
    # held fixed: CoTb's Im G (no FL data), the resistivity, g_sf
    for k in ("im_g_mix_0", "resistivity", "g_sf"):
        assert params[k]["fixed"] is True and params[k]["stderr"] is None
    for k in ("re_g_mix_0", "re_g_mix_1", "im_g_mix_1", "spin_diffusion_length"):
        assert "fixed" not in params[k] and "tied_to" not in params[k]


def test_a_flag_of_the_first_interface_is_printed_once(run):
    summary, text = run
    label = next(iter(summary["interfaces"]))
    assert summary["interfaces"][label]["re_g_mix"]["flags"]
    # summary.json names the quantity under both its keys ...
    assert {f["quantity"] for f in summary["flags"]} == {"re_g_mix",
                                                         f"interfaces.{label}.re_g_mix"}
    # ... the terminal once, under the interface
    assert text.count("linearised standard error not meaningful") == 1
    assert "flags (1):" in text and f"interfaces.{label}.re_g_mix: linearised" in text


def test_collect_flags_lists_one_object_under_two_keys_once():
    q = add_flag({"value": 1.0, "stderr": 0.1, "unit": "nm"}, "odd")
    other = add_flag({"value": 1.0, "stderr": 0.1, "unit": "nm"}, "odd")
    summary = {"q": q, "deeper": {"a": {"q": q}}, "other": other}
    assert collect_flags(summary, distinct=True) == [{"quantity": "deeper.a.q", "reason": "odd"},
                                                     {"quantity": "other", "reason": "odd"}]
    assert [f["quantity"] for f in collect_flags(summary)] == ["q", "deeper.a.q", "other"]


def _posterior_summary(im_g):
    """A summary of ``--mcmc`` with the given Im G entry (numbers of a Pt-like series)."""
    g = "1e13 Ohm^-1 m^-2"
    return {"method": "emcee", "notes": [],
            "spin_hall_conductivity": {"value": 3.5, "stderr": 0.2, "p16": 3.3, "p50": 3.5,
                                       "p84": 3.7, "unit": "1e5 (hbar/2e) Ohm^-1 m^-1"},
            "spin_diffusion_length": {"value": 1.4, "stderr": 0.1, "p16": 1.3, "p50": 1.4,
                                      "p84": 1.5, "unit": "nm"},
            "interfaces": {"Co/Pt": {"re_g_mix": {"value": 20.0, "stderr": None, "p16": 20.0,
                                                  "p50": 20.0, "p84": 20.0, "unit": g},
                                     "im_g_mix": im_g, "im_g_mix_fixed": False}}}


def test_a_skewed_posterior_is_shown_with_its_asymmetric_interval():
    from sotfit.cli.thickness import human_summary

    im_g = {"value": 160.0, "stderr": 1046.0, "p16": 3.0, "p50": 160.0, "p84": 2096.0,
            "unit": "1e13 Ohm^-1 m^-2"}
    text = human_summary(_posterior_summary(im_g))
    line = next(t for t in text.splitlines() if "im_g_mix" in t)
    assert "im_g_mix = 160 (+1900/-160)" in line and "+/-" not in line
    assert "[16-84 %: 3 .. 2096]" in line
    # symmetric posteriors keep value +/- stderr
    assert "spin_hall_conductivity = 3.5 +/- 0.2" in text
    assert "spin_diffusion_length = 1.4 +/- 0.1" in text


def test_the_skew_threshold():
    from sotfit.cli.thickness import SKEW_RATIO, asymmetric_interval

    def entry(lo, hi):
        return {"p16": 10.0 - lo, "p50": 10.0, "p84": 10.0 + hi}

    assert asymmetric_interval(entry(1.0, 1.0)) is None
    assert asymmetric_interval(entry(1.0, 0.99 * SKEW_RATIO)) is None
    assert asymmetric_interval(entry(1.0, 1.01 * SKEW_RATIO)) == pytest.approx(
        (1.0, 1.01 * SKEW_RATIO))
    assert asymmetric_interval(entry(2.0, 1.0)) == pytest.approx((2.0, 1.0))
    assert asymmetric_interval({"value": 1.0, "stderr": 0.1}) is None      # least squares
    assert asymmetric_interval(entry(0.0, 0.0)) is None                    # fixed


def test_the_summary_says_which_sign_of_the_field_like_efficiency_goes_with_im_g(run):
    """summary.json did not say that a positive Im G gives a negative xi_FL (seed 003 eq. (2)):
    a table of FL of the other sign gave Im G of the other sign with nothing to tell which."""
    summary, _ = run
    said = summary["sign_convention"]
    assert ("with sigma_s > 0 a positive Im G gives a negative field-like efficiency xi_FL "
            "(xi^E_FL) and a negative Im G a positive one") in said
    assert "seed 003 eqs. (1)-(2)" in said and "docs/CONVENTIONS.md" in said
    # as the fit has it: NiFe/BiSb's xi^E_FL < 0 at every thickness, and its Im G > 0
    fl = [float(ln.split(",")[3]) for ln in Path(NIFE).read_text().splitlines()
          if ln and ln[0].isdigit()]
    assert max(fl) < 0
    assert summary["least_squares"]["parameters"]["im_g_mix_1"]["value"] > 0
