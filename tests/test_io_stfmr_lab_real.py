"""Real lab exports read as shipped (real_data fixture; skipped when the folder is absent).

* ``cmtj_ta_cofeb_5360/VSD/5360_2p.csv``: spin-diode spectra of a perpendicular Ta/CoFeB film,
  17 column pairs side by side (field in Oe, voltage in V), frequencies in the pair labels.
* ``fmr_yig_derivative/test1_*``: field-modulated FMR of 50 nm YIG, files without an
  extension, lock-in X and Y columns, a field read-back that jitters, a 'Power(mV)' column.

The numbers are judged by physics, not by a published fit: the in-plane Kittel relation
with the free-electron g must give one mu0 M_eff across frequencies (negative for the
perpendicular film, about 0.17 T for YIG).
"""

import warnings

import numpy as np
import pytest

from sotfit import DataError
from sotfit.analysis.stfmr_spectra import fit_spectrum
from sotfit.io import read_stfmr
from sotfit.models import MODELS
from sotfit.units import GAMMA_FREE_ELECTRON, UnitError

VSD = "cmtj_ta_cofeb_5360/VSD/5360_2p.csv"
YIG = "fmr_yig_derivative"


@pytest.fixture(scope="module")
def vsd_file(real_data):
    p = real_data / VSD
    if not p.is_file():
        pytest.skip(f"{p} missing")
    return p


@pytest.fixture(scope="module")
def yig_files(real_data):
    files = sorted((real_data / YIG).glob("test1_*"))
    if len(files) != 9:
        pytest.skip(f"{real_data / YIG}: the nine files are missing")
    return files


def _meff(f, h):
    """mu0 M_eff (T) from the in-plane Kittel relation with the free-electron gamma/2pi."""
    return (f / GAMMA_FREE_ELECTRON) ** 2 / h - h


@pytest.mark.real_data
def test_vsd_side_by_side_pairs(vsd_file):
    with pytest.raises(UnitError, match=r"5360_2p\.csv: '2pf_1\.0_GHz' \(column 0\).*side-by-side"
                                        r".*--field-unit Oe --voltage-unit V"):
        read_stfmr(vsd_file, option_style="cli")
    sw = read_stfmr(vsd_file, field_unit="Oe", voltage_unit="V")
    assert sw.values("frequency") == [float(f) for f in range(1, 18)]
    for d in sw:
        f = d.meta["frequency"]
        assert d.meta["source"] == f"5360_2p.csv [2pf_{f:.1f}_GHz]"
        assert d.meta["frequency_from"] == f"column label '2pf_{f:.1f}_GHz'"
        assert len(d) == 151 and d.meta["sweep_direction"] == "up"
        assert 0.006 < d.x.min() < 0.008 and 0.786 < d.x.max() < 0.788  # 62.5-7878 Oe
        assert 0.01 < np.max(np.abs(d.y)) < 50.0  # uV


@pytest.mark.real_data
def test_vsd_resonances_obey_kittel_with_negative_meff(vsd_file):
    """Above saturation (f >= 4 GHz) every resonance, taken crudely as the extremum of the
    signal, gives the same negative mu0 M_eff: a perpendicular film with the field in plane.
    At 1 GHz the extremum sits at the lowest field: that spectrum is not saturated in plane."""
    sw = read_stfmr(vsd_file, field_unit="Oe", voltage_unit="V")
    meff = {}
    for d in sw:
        v = d.y - np.median(d.y)
        meff[d.meta["frequency"]] = (_meff(d.meta["frequency"], d.x[np.argmax(np.abs(v))]),
                                     d.x[np.argmax(np.abs(v))])
    high = np.array([m for f, (m, _) in meff.items() if f >= 4])
    assert np.all((high > -0.26) & (high < -0.18)), high
    assert high.max() - high.min() < 0.03
    assert meff[1.0][1] < 0.01  # at the bottom of the sweep


@pytest.mark.real_data
def test_yig_files_load_as_shipped(yig_files, real_data):
    with pytest.raises(DataError, match="read only when named one by one"):
        read_stfmr(real_data / YIG)
    with pytest.raises(DataError) as e:
        read_stfmr(yig_files[0], option_style="cli")
    assert "--column voltage=Xchannel" in str(e.value)
    assert "--lockin-channels Xchannel,Ychannel" in str(e.value)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the 'Power(mV)' column is a note, not a warning
        one = read_stfmr(yig_files, voltage_column="Xchannel", voltage_unit="V")
        both = read_stfmr(yig_files, lockin_channels="Xchannel,Ychannel", voltage_unit="V")
    freqs = [13.5, 13.0, 14.5, 14.0, 15.5, 15.0, 16.5, 16.0, 17.0]  # file name order
    for sw in (one, both):
        assert sw.values("frequency") == freqs
        assert [len(d) for d in sw] == [301, 176, 251, 301, 181, 135, 351, 301, 261]
        assert all(d.meta["sweep_direction"] == "up" for d in sw)
        assert all(d.meta["field_unit_in_file"] == "G" for d in sw)
    # the read-back steps back by 0.06-0.26 G in six files: sorted, with a note
    jitter = [d.meta.get("field_jitter_points", 0) for d in both]
    assert jitter == [1, 1, 1, 0, 0, 1, 1, 0, 1]
    assert max(d.meta.get("field_jitter_max", 0) for d in both) < 0.3e-4
    # 'Power(mV)' is not a power; '8dbm' in two names is
    assert [d.meta.get("power") for d in both] == [None] * 7 + [8.0, 8.0]
    assert all(any("Power(mV)" in n for n in d.meta["reader_notes"]) for d in both)
    # the signal sits in Y: the fitted phase is within a few degrees of 90
    for d in both:
        assert abs(d.meta["lockin_phase"] - 90) < 4 and d.meta["lockin_phase_stderr"] < 6


@pytest.mark.real_data
def test_yig_derivative_fits_look_like_yig(yig_files):
    """The resonance fields (0.39 T at 13 GHz to 0.53 T at 17 GHz) give mu0 M_eff = 0.16-0.18 T
    with the free-electron g, as for YIG (bulk 0.175 T); the half widths are 1-2 mT."""
    sw = read_stfmr(yig_files, lockin_channels="Xchannel,Ychannel", voltage_unit="V")
    res = []
    for d in sw:
        fit = fit_spectrum(d, model=MODELS["stfmr_derivative"])
        res.append((d.meta["frequency"], fit.combined["h_res"].nominal_value,
                    fit.combined["width"].nominal_value))
    f, h, w = np.array(sorted(res)).T
    assert np.all(np.diff(h) > 0)
    assert 0.385 < h[0] < 0.395 and 0.52 < h[-1] < 0.53
    meff = _meff(f, h)
    assert np.all((meff > 0.15) & (meff < 0.19)), meff
    assert np.all((w > 0.001) & (w < 0.002)), w


@pytest.mark.real_data
def test_vsd_command_as_written(vsd_file, tmp_path):
    """`sotfit stfmr 5360_2p.csv --field-unit Oe --voltage-unit V --angle 45deg --out OUT` reads 17
    spectra and fits the saturated ones; the low-frequency spectra of this perpendicular film,
    not saturated in plane, are left out with that reason (and flagged), and the Kittel
    relation gives mu0 M_eff < 0."""
    import json

    from sotfit.cli import main

    out = tmp_path / "vsd"
    assert main(["stfmr", str(vsd_file), "--field-unit", "Oe", "--voltage-unit", "V", "--angle",
                 "45deg", "--out", str(out)]) == 0
    s = json.loads((out / "summary.json").read_text())
    assert len(s["spectra"]) + len(s["failures"]) == 17
    left = {f["source"]: f["reason"] for f in s["failures"]}
    assert set(left) == {"5360_2p.csv [2pf_1.0_GHz]", "5360_2p.csv [2pf_2.0_GHz]"}
    assert "not saturated in plane" in left["5360_2p.csv [2pf_2.0_GHz]"]
    assert "probably not saturated" in left["5360_2p.csv [2pf_1.0_GHz]"]
    assert all(any(q.startswith("failures[") for q in [f["quantity"]]) for f in s["flags"]
               if "left out" in f["reason"])
    for route in ("sequential", "global"):
        m = s[route]["mu0_meff"]
        assert -0.26 < m["value"] < -0.18 and m["value"] + 3 * m["stderr"] < 0
    # the rest of the Kittel misfit (the 3 GHz spectrum near saturation) is flagged, not hidden
    assert s["sequential"]["kittel_reduced_chi_square"] > 5 and s["sequential"]["mu0_meff"]["flags"]
