"""A device width or thickness in the wrong unit (10 nm or 10 mm for a 10 um bar) scales the
efficiencies and the Oersted field by a thousand, inside every other plausibility limit: the
summary's sample section flags it (``sotfit.device.TYPICAL_DIMENSIONS``)."""

import json

import pytest

from sotfit.cli import main
from sotfit.device import Sample, flag_unusual_dimensions

from bundled import ROOT, ROTATIONS, avci_options

EXAMPLE = ROOT / "data" / "stfmr_example"
SAMPLE = ["--ms", "0.95T", "--t-fm", "6nm", "--t-nm", "6nm", "--rho", "20uOhmcm",
          "--rho-fm", "40uOhmcm", "--delta-r", "0.5Ohm", "--irf", "1mA", "--irf-is", "peak"]


@pytest.mark.parametrize("values, flagged", [
    (dict(width=10e3, t_fm=6.0, t_nm=6.0), []),
    (dict(width=10.0, t_fm=6.0, t_nm=6.0), ["width"]),        # 10 nm for 10 um
    (dict(width=10e6, t_fm=6.0, t_nm=6.0), ["width"]),        # 10 mm for 10 um
    (dict(width=10e3, t_fm=6e3, t_nm=6.0), ["t_fm"]),         # 6 um for 6 nm
])
def test_dimensions_outside_a_device_range_are_flagged(values, flagged):
    _flagged_as(Sample(**values).summary(), flagged, ("width", "t_fm", "t_nm"))


def _flagged_as(section, flagged, names):
    """The sample section flags exactly ``flagged`` among ``names``, each saying to check its
    unit."""
    assert flag_unusual_dimensions(section) == flagged
    for name in names:
        assert bool(section[name].get("flags")) == (name in flagged), name
    if flagged:
        assert "check its unit" in section[flagged[0]]["flags"][0]


def test_stfmr_flags_a_width_in_nanometres(tmp_path):
    runs = {}
    for width in ("10um", "10nm"):
        out = tmp_path / width
        assert main(["stfmr", str(EXAMPLE), "--out", str(out), "--no-figures", *SAMPLE,
                     "--width", width]) == 0
        runs[width] = json.loads((out / "summary.json").read_text())
    assert not any(f["quantity"] == "sample.width" for f in runs["10um"]["flags"])
    said = [f for f in runs["10nm"]["flags"] if f["quantity"] == "sample.width"]
    assert said and "width = 0.01 um is outside 0.1-2000 um" in said[0]["reason"]
    assert main(["stfmr", str(EXAMPLE), "--out", str(tmp_path / "strict"), "--no-figures",
                 *SAMPLE, "--width", "10nm", "--strict"]) == 3


def test_hall_writes_its_sample_and_flags_a_width_in_millimetres(tmp_path):
    common = [*map(str, ROTATIONS), *avci_options(), "--t-fm", "2nm", "--t-nm", "5nm",
              "--ms", "1T", "--resistivity", "20uOhmcm", "--current-fraction", "0.6"]
    runs = {}
    for width in ("10um", "10mm"):
        out = tmp_path / width
        assert main(["hall", *common, "--width", width, "--out", str(out)]) == 0
        runs[width] = json.loads((out / "summary.json").read_text())
    assert runs["10um"]["sample"]["width"]["value"] == pytest.approx(1e4)
    assert "angle" not in runs["10um"]["sample"]         # an ST-FMR field angle: not written
    assert not any(f["quantity"] == "sample.width" for f in runs["10um"]["flags"])
    assert any(f["quantity"] == "sample.width" and "check its unit" in f["reason"]
               for f in runs["10mm"]["flags"])


@pytest.mark.parametrize("values, flagged", [
    (dict(mu0_ms=0.95, rho_nm=20.0, rho_fm=40.0), []),
    (dict(mu0_ms=2.4, rho_nm=400.0, rho_fm=1e15), []),          # FeCo, BiSb, YIG
    (dict(mu0_ms=9.5, rho_nm=20.0, rho_fm=40.0), ["mu0_ms"]),    # a slip for 0.95 T
    (dict(mu0_ms=0.95, rho_nm=20.0, rho_fm=4e4), ["rho_fm"]),    # 40 mOhm cm for 40 uOhm cm
    (dict(mu0_ms=0.95, rho_nm=0.2, rho_fm=40.0), ["rho_nm"]),    # 2 nOhm m read as uOhm cm
])
def test_a_magnetisation_or_resistivity_beyond_any_material_is_flagged(values, flagged):
    """--ms 9.5T (for 0.95 T) gave xi_dl and xi_fmr ten times the truth, --rho-fm 40mOhmcm the
    field-like efficiency twice and the damping-like two thirds of it, exit 0 and no flag
    under --strict: mu0 Ms above any ferromagnet's (2.45 T) and resistivities no layer of such
    a device has are flagged."""
    _flagged_as(Sample(width=10e3, t_fm=6.0, t_nm=6.0, **values).summary(), flagged,
                ("mu0_ms", "rho_nm", "rho_fm"))


def test_stfmr_strict_refuses_an_ms_in_the_wrong_unit(tmp_path):
    args = ["stfmr", str(EXAMPLE), "--no-figures", *[a if a != "0.95T" else "9.5T" for a in SAMPLE],
            "--width", "10um", "--strict"]
    assert main([*args, "--out", str(tmp_path / "ms")]) == 3


def test_the_efficiencies_carry_the_flags_of_the_sample(tmp_path):
    """--ms 9.5T was flagged on the sample section alone: the efficiencies, 10 times the truth,
    went on unflagged (and into a thickness fit that exited 0 under --strict)."""
    args = ["stfmr", str(EXAMPLE), "--no-figures", *[a if a != "0.95T" else "9.5T" for a in SAMPLE],
            "--width", "10um", "--out", str(tmp_path / "ms")]
    assert main(args) == 0
    s = json.loads((tmp_path / "ms" / "summary.json").read_text())
    for k in ("xi_dl", "xi_fl", "mu0_h_dl"):
        assert any("rests on the sample description, flagged: mu0_ms" in f
                   for f in s["sequential"][k]["flags"]), k
    common = [*map(str, ROTATIONS), *avci_options(), "--t-fm", "2nm", "--t-nm", "5nm",
              "--ms", "1T", "--resistivity", "20uOhmcm", "--current-fraction", "0.6",
              "--width", "10mm", "--out", str(tmp_path / "hall")]
    assert main(["hall", *common]) == 0
    q = json.loads((tmp_path / "hall" / "summary.json").read_text())["quantities"]
    assert any("rests on the sample description, flagged: width" in f for f in q["xi_dl"]["flags"])
    assert not any("sample description" in f for f in q["mu0_h_dl"].get("flags", []))
