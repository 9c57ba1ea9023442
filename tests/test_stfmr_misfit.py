"""A branch fit that leaves structure in its residuals is flagged (sotfit.analysis.stfmr.checks,
``misfit_ratio``): a curved background taken for a line as wide as the sweep, a switching step
in a low-frequency line's window. The spectra are written here with their own lineshape and
Kittel law (numpy only), the noise white or a first-order autoregression."""

import math

import numpy as np
import pandas as pd
import pytest

from sotfit.analysis.stfmr.checks import MISFIT_RATIO_MAX, misfit_ratio
from sotfit.analysis.stfmr.spectra import fit_spectrum
from sotfit.cli import main
from sotfit.data import Dataset

GAMMA, MEFF, ALPHA, W0 = 28.692, 0.80, 0.010, 0.001      # GHz/T, T, -, T
FIELD = np.arange(-0.32, 0.32 + 1e-9, 0.0008)            # T


def _line(f):
    """Resonance field and HWHM (T) of the in-plane Kittel and Gilbert laws at f (GHz)."""
    x = f / GAMMA
    h0 = (-MEFF + math.sqrt(MEFF ** 2 + 4 * x ** 2)) / 2
    return h0, W0 + ALPHA * x


def _vmix(f, noise, rng, curvature=0.0, step=0.0, rho=0.0):
    """V_mix (uV) over FIELD: V_s = 0.6 V_a, V_a = 30/f uV, odd under H -> -H, a straight
    background, ``curvature`` (uV/T^2) times H^2, a ``step`` (uV) where |H| < 4 mT, and noise
    of lag-1 autocorrelation ``rho``."""
    h0, w = _line(f)
    va = 30.0 / f
    a, p = np.abs(FIELD), np.sign(FIELD)
    d = a - h0
    v = p * (0.6 * va * w ** 2 + va * w * d) / (d ** 2 + w ** 2)
    v += 4.0 + 6.0 * FIELD + curvature * FIELD ** 2 + step * np.sign(FIELD) * (a < 0.004)
    e = rng.normal(0.0, noise, FIELD.size)
    for i in range(1, e.size):
        e[i] = rho * e[i - 1] + math.sqrt(1 - rho ** 2) * e[i]
    return v + e


def _branch_ratios(v, f):
    d = Dataset(FIELD, v, x_name="field", x_unit="T", y_name="vmix", y_unit="uV",
                meta={"frequency": f, "source": f"{f:g}GHz.csv"})
    return [misfit_ratio(r) for r in fit_spectrum(d).branches]


def test_ratio_is_one_for_white_noise_and_below_the_limit_for_a_lock_in_time_constant():
    rng = np.random.default_rng(1)
    white = [x for f in (6, 10, 14) for x in _branch_ratios(_vmix(f, 0.03, rng), f)]
    assert all(0.7 < x < 1.4 for x in white), white
    # neighbouring points correlated as behind a lock-in's time constant (rho 0.9, as the
    # measured CoFe/Pt dev11 set): raised, well below the limit
    slow = [x for f in (6, 10, 14) for x in _branch_ratios(_vmix(f, 0.03, rng, rho=0.9), f)]
    assert np.mean(slow) > np.mean(white) + 0.5 and max(slow) < MISFIT_RATIO_MAX / 2, slow


def _write(folder, freqs, seed, noise=0.03, **kw):
    folder.mkdir()
    rng = np.random.default_rng(seed)
    for f in freqs:
        v = _vmix(f, noise, rng, **kw)
        pd.DataFrame({"Field (mT)": FIELD * 1e3, "Vmix (uV)": v}).to_csv(
            folder / f"{f:g}GHz.csv", index=False, float_format="%.6f")
    return folder


def _run(folder, out):
    assert main(["stfmr", str(folder), "--out", str(out), "--no-figures"]) == 0
    return pd.read_csv(out / "spectra_combined.csv"), pd.read_json(out / "summary.json",
                                                                    typ="series")


@pytest.mark.parametrize("case", ["curved", "step"])
def test_no_wrong_width_or_ratio_goes_out_unflagged(tmp_path, case):
    """A curved background of 70 uV/T^2 (7 uV at the ends of the sweep, lines of 2-5 uV): the
    12 and 14 GHz lines came out 89 mT wide (5 and 6 mT planted) with V_a 10 standard errors
    off and 'none' in their flags. A 1.5 uV step below 4 mT in the window of a 3 GHz line: the
    ratio 5 standard errors off, unflagged. Every spectrum's width and ratio is now within 5
    standard errors of the planted values or flagged, and a wrong one is flagged for its
    structure."""
    if case == "curved":
        freqs, kw = (6, 8, 10, 12, 14), {"curvature": 70.0}
    else:
        freqs, kw = (3, 6, 10, 14), {"step": 1.5, "noise": 0.01}
    table, summary = _run(_write(tmp_path / case, freqs, 6500, **kw), tmp_path / "out")
    misfit = 0
    for _, row in table.iterrows():
        h0, w = _line(row["frequency (GHz)"])
        off = max(abs(row["width (T)"] - w) / row["width_stderr (T)"],
                  abs(row["ratio"] - 0.6) / row["ratio_stderr"])
        flagged = "times the noise of its points" in str(row["flags"])
        misfit += flagged
        assert off < 5 or flagged, (row["source"], off, row["flags"])
    assert misfit >= 1
    means = summary["sequential"]
    assert any("times the noise of its points" in f for f in means["alpha"].get("flags", []))


def test_clean_spectra_carry_no_misfit_flag(tmp_path):
    table, summary = _run(_write(tmp_path / "clean", (6, 8, 10, 12, 14), 6500),
                          tmp_path / "out")
    assert not table["flags"].astype(str).str.contains("noise of its points").any()
    assert "noise of its points" not in summary.to_json()


def test_voltages_rounded_to_steps_above_the_noise_are_not_a_misfit():
    """uV written with two decimals, noise below a step, lines of 50-150 steps (the rounding
    gate's 20 steps passed): most second differences of the residuals were zero and the ratio
    reached 60 on fits within their errors. The noise is taken no smaller than the rounding's
    step/sqrt(12)."""
    rng = np.random.default_rng(3)
    for f in (6, 10, 14):
        # a line of 1-1.5 uV (V_a = 20/f), steps of 0.05 uV, noise of a tenth of a step
        v = np.round(_vmix(f, 0.005, rng) * 20 / 30 / 0.05) * 0.05
        ratios = _branch_ratios(v, f)
        assert all(r < 2.0 for r in ratios), (f, ratios)
