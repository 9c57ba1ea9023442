"""Both field polarities as two V_mix columns over one |H| column (``|H| (mT), Vmix(+H) (uV),
Vmix(-H) (uV)``): read as one signed sweep. Before, the plain command was "several columns
could be the voltage", and naming the -H column, as that message said, read it as the +H
branch: both torques of the wrong sign, exit status 0."""

import json

import numpy as np
import pytest

from sotfit.cli import main
from tests.stfmr_synth import spectrum

FREQS = (6.0, 9.0, 12.0)


def _files(folder, header_plus, header_minus):
    signed, split = folder / "signed", folder / "split"
    signed.mkdir()
    split.mkdir()
    for k, f in enumerate(FREQS):
        d = spectrum(f, seed=k, n=602, h_max=0.35)          # swept from + to -, no zero
        h_mt, v = d.x * 1e3, d.y
        np.savetxt(signed / f"s_{f:g}GHz.csv", np.c_[h_mt, v], delimiter=",",
                   header="Field (mT),Vmix (uV)", comments="", fmt="%.9g")
        half = h_mt.size // 2       # a symmetric grid: h[n - 1 - i] = -h[i]
        assert np.allclose(h_mt[::-1][:half], -h_mt[:half])
        np.savetxt(split / f"s_{f:g}GHz.csv", np.c_[h_mt[:half], v[:half], v[::-1][:half]],
                   delimiter=",", header=f"|H| (mT),{header_plus},{header_minus}",
                   comments="", fmt="%.9g")
    return signed, split


def _summary(tmp_path, name, files, *extra):
    out = tmp_path / name
    code = main(["stfmr", str(files), "--out", str(out), "--no-figures", "--no-global",
                 "--irf", "1mA", "--irf-is", "peak", "--delta-r", "0.5Ohm", "--angle", "45deg",
                 *extra])
    return code, (json.loads((out / "summary.json").read_text()) if code == 0 else None)


@pytest.mark.parametrize("plus,minus", [("Vmix(+H) (uV)", "Vmix(-H) (uV)"),
                                        ("V_pos (uV)", "V_neg (uV)"),
                                        ("V H>0 (uV)", "V H<0 (uV)")])
def test_two_polarity_columns_read_as_the_signed_sweep(tmp_path, capsys, plus, minus):
    signed, split = _files(tmp_path, plus, minus)
    code, ref = _summary(tmp_path, "ref", signed)
    assert code == 0
    code, got = _summary(tmp_path, "got", split)
    assert code == 0
    assert "read as V_mix of the two field polarities" in capsys.readouterr().err
    for k in ("mu0_meff", "alpha", "mu0_h_dl", "mu0_h_fl_oe"):
        assert got["sequential"][k]["value"] == pytest.approx(ref["sequential"][k]["value"],
                                                              rel=1e-9), k


def test_the_negative_column_named_alone_is_refused_unless_read_negated(tmp_path, capsys):
    _, split = _files(tmp_path, "Vmix(+H) (uV)", "Vmix(-H) (uV)")
    one = split / "s_6GHz.csv"
    code, _ = _summary(tmp_path, "a", one, "--column", "voltage=Vmix(-H) (uV)")
    assert code == 2
    assert "named for the negative field polarity" in capsys.readouterr().err
    code, s = _summary(tmp_path, "b", one, "--column", "voltage=Vmix(-H) (uV)",
                       "--negative-field", one.name)
    assert code == 0
    assert all(b["polarity"] < 0 for b in s["spectra"][0]["branches"])
