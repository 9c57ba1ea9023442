"""``sotfit hall``: an option the chosen method does not use is refused, naming the methods
that use it (docs/CONVENTIONS.md), and a sample quantity that the method measures itself
(R_AHE and H_K of method (b)) is set beside the measured one, flagged where the two disagree.
``--time-limit`` takes a time with its unit (a bare number is seconds)."""

import json
from pathlib import Path

import pytest

from sotfit.cli import main
from sotfit.cli.hall import _seconds

EX = Path(__file__).resolve().parents[1] / "data" / "hall_example"
INPLANE = sorted(str(p) for p in (EX / "inplane").glob("phi_*.csv"))
SWEEPS = sorted(str(p) for p in (EX / "pma").glob("sweep_*.csv"))
THETAS = sorted(str(p) for p in (EX / "pma").glob("theta_*.csv"))
CONV = ["--current", "1.5mA", "--current-is", "rms", "--lockin-output", "rms",
        "--r2w-channel", "X", "--gain-2w", "10"]
FILES = {"avci": INPLANE, "hayashi": SWEEPS, "angular": THETAS, "macrospin": SWEEPS}


@pytest.mark.parametrize("method,option,value,users", [
    ("hayashi", "--max-lag", "0.02", "avci"),
    ("hayashi", "--field", "100mT", "avci, angular or macrospin"),
    ("hayashi", "--h-fl", "1mT", "angular"),
    ("hayashi", "--include-one", None, "avci or angular"),
    ("hayashi", "--time-limit", "10", "macrospin"),
    ("hayashi", "--max-sin", "0.3", "angular"),
    ("avci", "--r-ane", "0.1mOhm", "hayashi"),
    ("avci", "--max-field", "50mT", "hayashi"),
    ("avci", "--theta-h-stderr", "1deg", "hayashi"),
    ("avci", "--theta-m-from", "equilibrium", "angular"),
    ("angular", "--max-lag", "0.6deg", "avci"),
    ("angular", "--r-ane", "0.1mOhm", "hayashi"),
    ("macrospin", "--max-field", "50mT", "hayashi"),
    ("macrospin", "--include-one", None, "avci or angular"),
])
def test_an_option_the_method_ignores_is_refused(tmp_path, capsys, method, option, value, users):
    out = tmp_path / "out"
    argv = ["hall", *FILES[method], "--method", method, *CONV, option,
            *([] if value is None else [value]), "--out", str(out)]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert f"{option} applies to --method {users}, not {method}" in err
    assert "Traceback" not in err and not out.exists()


def _hayashi(tmp_path, name, *extra):
    out = tmp_path / name
    assert main(["hall", *SWEEPS, "--method", "hayashi", *CONV, *extra, "--out", str(out),
                 "--no-figures"]) == 0
    return json.loads((out / "summary.json").read_text())


def test_hayashi_compares_a_given_r_ahe_and_hk_with_its_own(tmp_path):
    """Method (b) measures R_AHE (1.2 Ohm) and H_K (0.6 T) from the sweeps: values 10 times
    off were passed over without a word; they are flagged now, naming both values, and values
    that agree are noted."""
    q = _hayashi(tmp_path, "off", "--hk", "6T", "--r-ahe", "0.12Ohm")["quantities"]
    assert any("0.12 Ohm" in f and "10 times smaller" in f for f in q["r_ahe"]["flags"])
    assert any("6 T" in f and "10 times larger" in f for f in q["mu0_hk_eff"]["flags"])
    s = _hayashi(tmp_path, "near", "--hk", "0.61T", "--r-ahe", "1.15Ohm")
    assert not s["quantities"]["r_ahe"].get("flags")
    assert not s["quantities"]["mu0_hk_eff"].get("flags")
    assert any("R_AHE given, 1.15 Ohm" in n and "agree" in n for n in s["notes"])
    assert any("0.61 T" in n and "agree" in n for n in s["notes"])
    # an in-plane film's --meff gives H_K < 0: of the opposite sign to the sweeps'
    q = _hayashi(tmp_path, "meff", "--meff", "0.8T")["quantities"]
    assert any("opposite sign" in f for f in q["mu0_hk_eff"]["flags"])


@pytest.mark.parametrize("text,seconds", [
    ("30", 30.0), ("1s", 1.0), ("2.5 s", 2.5), ("500ms", 0.5), ("2min", 120.0), ("1h", 3600.0),
])
def test_time_limit_takes_a_time_with_its_unit(text, seconds):
    assert _seconds(text) == pytest.approx(seconds)


@pytest.mark.parametrize("value", ["0s", "-1", "5mT", "nan", "inf"])
def test_time_limit_outside_its_domain_is_refused(tmp_path, capsys, value):
    out = tmp_path / "out"
    with pytest.raises(SystemExit) as exc:
        main(["hall", *SWEEPS, "--method", "macrospin", *CONV, f"--time-limit={value}",
              "--out", str(out)])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "--time-limit" in err and "Traceback" not in err and not out.exists()


def test_time_limit_with_a_unit_reaches_the_fit(tmp_path, capsys):
    """``--time-limit 1s`` was refused ('1s' is not a number); it now stops the global fit."""
    out = tmp_path / "out"
    main(["hall", *SWEEPS, "--method", "macrospin", *CONV, "--r-phe", "0.15Ohm",
          "--time-limit", "10ms", "--out", str(out), "--no-figures"])
    s = json.loads((out / "summary.json").read_text())
    assert "time limit 0.01 s" in json.dumps(s)


def test_seed_without_mcmc_steps_is_refused(tmp_path, capsys):
    """``--seed`` seeds the sampler of ``--mcmc-steps``: without it the seed did nothing."""
    out = tmp_path / "out"
    assert main(["hall", *SWEEPS, "--method", "macrospin", *CONV, "--r-phe", "0.15Ohm",
                 "--seed", "3", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "--seed" in err and "--mcmc-steps" in err and not out.exists()
