"""Field-modulated ST-FMR at both field polarities.

A lock-in reads h_m dV/dH with the modulation field along the fixed lab axis, so on the negative
branch, where V(H) = -V(|H|) of the positive one, it reads +h_m dV(|H|)/d|H|: the same sign as
on the positive branch. Fitted in |H| and referred to +H by the polarity like the mixing voltage,
the two branches cancelled in the symmetrised amplitudes: xi_FMR came out of noise with the wrong
sign (-0.11 +- 0.08 for 0.10 planted by an independent generator), exit status 0, no flag.

The derivative spectra here are made from the bundled mixing spectra (a cmtj macrospin,
data/stfmr_example) by a numerical derivative in the signed field, an independent route from the
derivative lineshape sotfit fits: both branches must give the mixing run's xi_FMR.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from sotfit.cli import main

EXAMPLE = Path(__file__).resolve().parents[1] / "data" / "stfmr_example"
SAMPLE = ["--ms", "0.95T", "--t-fm", "6nm", "--t-nm", "6nm"]
#: The modulation field (T): the lock-in reads H_M dV/dH.
H_M = 2e-4


def _field_modulated(folder: Path, polarity: int | None = None) -> Path:
    """The example's spectra as a field-modulation lock-in reads them (H_M dV/dH, H signed),
    both branches or the one of ``polarity``."""
    folder.mkdir()
    for f in sorted(EXAMPLE.glob("py_pt_*GHz.csv")):
        lines = f.read_text().splitlines()
        head = [ln for ln in lines if ln.startswith("#")]
        data = np.loadtxt(f, comments="#", delimiter=",", skiprows=len(head) + 1)
        rows = []
        for p in (-1, 1):
            if polarity is not None and p != polarity:
                continue
            part = data[np.sign(data[:, 0]) == p]
            part = part[np.argsort(part[:, 0])]
            h = part[:, 0] * 1e-3                                   # mT -> T, signed
            rows.append(np.column_stack([part[:, 0], H_M * np.gradient(part[:, 1], h)]))
        body = "\n".join(f"{a:.5f},{b:.8g}" for a, b in np.concatenate(rows))
        (folder / f.name).write_text("\n".join(head) + "\nField (mT),dV/dH (uV)\n" + body + "\n")
    return folder


def _xi_fmr(tmp_path, name, files, *extra) -> dict:
    out = tmp_path / f"out_{name}"
    assert main(["stfmr", *map(str, files), "--out", str(out), "--no-figures", *SAMPLE,
                 *extra]) == 0
    return json.loads((out / "summary.json").read_text())["sequential"]["xi_fmr"]


def test_both_polarities_of_a_field_modulated_spectrum(tmp_path):
    mixing = _xi_fmr(tmp_path, "mixing", [EXAMPLE])
    both = _xi_fmr(tmp_path, "both", [_field_modulated(tmp_path / "both")],
                   "--lineshape", "derivative")
    plus = _xi_fmr(tmp_path, "plus", [_field_modulated(tmp_path / "plus", 1)],
                   "--lineshape", "derivative")
    minus = _xi_fmr(tmp_path, "minus", [_field_modulated(tmp_path / "minus", -1)],
                    "--lineshape", "derivative")
    for got in (both, plus, minus):
        assert got["value"] > 0
        assert abs(got["value"] - mixing["value"]) < 3 * np.hypot(got["stderr"], mixing["stderr"])
    # both branches together are better determined than either alone
    assert both["stderr"] < min(plus["stderr"], minus["stderr"])


def test_a_derivative_column_fitted_with_the_mixing_lineshape_is_refused(tmp_path, capsys):
    """'dV/dH (uV)' was no voltage column at all; read now, it asks for its lineshape rather
    than being fitted as a mixing voltage."""
    folder = _field_modulated(tmp_path / "both")
    assert main(["stfmr", str(folder), "--out", str(tmp_path / "o"), "--no-figures"]) == 2
    err = capsys.readouterr().err
    assert "column 'dV/dH (uV)' is named as a field derivative of V_mix" in err
    assert "--lineshape derivative" in err
